/** activate() against the stub with a wrong interpreter path: the bad-input path that needs no real VS Code. */
import "./setup";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import type * as vscode from "vscode";
import { activate } from "../src/extension";
import { ServerCommands } from "../src/protocol";
import { outputChannels, registeredCommands, statusItems, ui, Uri } from "./vscode-stub";

const manifest = JSON.parse(readFileSync(path.resolve(__dirname, "../../package.json"), "utf8")) as {
    contributes: { commands: { command: string }[] };
};

function fakeContext(): vscode.ExtensionContext {
    const secrets = new Map<string, string>();
    return {
        subscriptions: [],
        secrets: {
            get: (k: string) => Promise.resolve(secrets.get(k)),
            store: (k: string, v: string) => Promise.resolve(void secrets.set(k, v)),
            delete: (k: string) => Promise.resolve(void secrets.delete(k)),
        },
        globalState: { get: () => undefined, update: () => Promise.resolve() },
        globalStorageUri: Uri.file("/tmp/splice-test-storage"),
        extensionUri: Uri.file("/tmp/splice-test-extension"),
    } as unknown as vscode.ExtensionContext;
}

describe("activate", () => {
    it("with a wrong interpreter path: registers the client commands, says what is wrong, offers the fixes", async () => {
        ui.reset();
        ui.configuration["splice.server.python"] = "/nonexistent/bin/python";
        ui.configuration["splice.temperature"] = "warm";
        await activate(fakeContext());

        const serverCommands = new Set<string>(Object.values(ServerCommands));
        const contributed = manifest.contributes.commands.map((c) => c.command).filter((c) => !serverCommands.has(c));
        assert.deepEqual(contributed.filter((c) => !registeredCommands().includes(c)), [], "every contributed client command is registered");
        assert.deepEqual(registeredCommands().filter((c) => serverCommands.has(c)), [], "server commands are left to vscode-languageclient");

        const error = ui.called("showErrorMessage")[0];
        assert.match(String(error.args[0]), /could not run the Python interpreter "\/nonexistent\/bin\/python" \(ENOENT\)\. It is set in splice.server.python\./);
        assert.deepEqual(error.args.slice(1), ["Choose Interpreter…", "Install Splice in a New Virtual Environment", "Open Settings"]);
        assert.match(String(ui.called("showWarningMessage")[0].args[0]), /"splice.temperature" = "warm" is invalid/);
        assert.equal(statusItems[0].text, "$(error) Splice: server stopped");
        assert.ok(outputChannels[0].lines.some((l) => l.startsWith("error Splice could not run")));
    });
});
