/** Imported first by every test: makes `require("vscode")` return the stub (VS Code is not installed here). */

import Module from "node:module";
import * as stub from "./vscode-stub";

/**
 * vscode-languageclient subclasses many vscode classes at load time (CodeLens, Diagnostic, …); names the stub does
 * not define resolve to an empty class, so loading works and any real use of them fails loudly in a test.
 */
const surface: Record<string, unknown> = { ...stub };
const vscode = new Proxy(surface, {
    get: (target, name: string): unknown => (name in target ? target[name] : class {}),
});

/** Per-file replacements for other modules (node --test runs each test file in its own process). */
export const moduleOverrides = new Map<string, unknown>();

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Load };
const original = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    if (request === "vscode") {
        return vscode;
    }
    return moduleOverrides.has(request) ? moduleOverrides.get(request) : original.call(this, request, parent, isMain);
};
