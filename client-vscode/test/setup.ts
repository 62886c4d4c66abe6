/** Imported first by every test: makes `require("vscode")` return the stub (VS Code is not installed here). */

import Module from "node:module";
import * as stub from "./vscode-stub";

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const moduleWithLoad = Module as unknown as { _load: Load };
const original = moduleWithLoad._load;
moduleWithLoad._load = function (request: string, parent: unknown, isMain: boolean): unknown {
    return request === "vscode" ? stub : original.call(this, request, parent, isMain);
};
