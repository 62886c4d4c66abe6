/** ServerManager with a recording stand-in for vscode-languageclient: start, settings, crash restarts, give-up. */
import { moduleOverrides } from "./setup";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import type { ServerHooks } from "../src/client";
import type { ReadSettings } from "../src/settings";
import { ui } from "./vscode-stub";

interface ClosedResult {
    action: number;
    handled?: boolean;
}

class FakeClient {
    static instances: FakeClient[] = [];
    running = false;
    readonly notifications: { type: unknown; params: unknown }[] = [];
    readonly handlers = new Map<string, (p: unknown) => void>();
    stopped = false;
    initializeResult = { capabilities: { executeCommandProvider: { commands: ["splice.reindex"] } } };

    constructor(
        readonly id: string,
        readonly name: string,
        readonly serverOptions: { command: string; args: string[]; options: { env: Record<string, string> } },
        readonly clientOptions: {
            initializationOptions: unknown;
            documentSelector: { language: string }[];
            errorHandler: { closed(): ClosedResult };
            middleware: {
                workspace: {
                    configuration(params: { items: { section?: string }[] }, token: unknown, next: () => unknown[]): Promise<unknown>;
                };
            };
        },
    ) {
        FakeClient.instances.push(this);
    }
    registerFeature(): void {}
    onNotification(method: string, handler: (p: unknown) => void): void {
        this.handlers.set(method, handler);
    }
    start(): Promise<void> {
        this.running = true;
        return Promise.resolve();
    }
    isRunning(): boolean {
        return this.running;
    }
    stop(): Promise<void> {
        this.running = false;
        this.stopped = true;
        return Promise.resolve();
    }
    dispose(): Promise<void> {
        return Promise.resolve();
    }
    sendNotification(type: unknown, params: unknown): Promise<void> {
        this.notifications.push({ type, params });
        return Promise.resolve();
    }
    /** What vscode-languageclient does when the process dies: ask the error handler. */
    crash(): ClosedResult {
        this.running = false;
        return this.clientOptions.errorHandler.closed();
    }
}

const CloseAction = { DoNotRestart: 1, Restart: 2 };
moduleOverrides.set("vscode-languageclient/node", {
    LanguageClient: FakeClient,
    CloseAction,
    ErrorAction: { Continue: 1, Shutdown: 2 },
    TransportKind: { stdio: 0 },
    DidChangeConfigurationNotification: { type: "workspace/didChangeConfiguration" },
    ExecuteCommandRequest: { type: "workspace/executeCommand" },
});

// Imported after the override so client.ts binds to the fake.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ServerManager } = require("../src/client") as typeof import("../src/client");

function fakePython(): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), "splice-client-"));
    const file = path.join(dir, "python");
    writeFileSync(file, '#!/bin/sh\necho "python 3.12"; echo "splice 0.1.0"\n');
    chmodSync(file, 0o755);
    return file;
}

function manager(python: string, trusted = true, onProbeFailure: ServerHooks["onProbeFailure"] = () => undefined) {
    const states: string[] = [];
    const hooks: ServerHooks = {
        onState: (s) => states.push(s),
        onIndexStatus: () => undefined,
        onUsage: () => undefined,
        onProposalReady: () => undefined,
        onProbeFailure,
    };
    const settings = (): ReadSettings => ({
        server: { model: "openai/gpt-4o-mini", budget: { daily: 1 } },
        values: { "server.python": python },
        problems: [],
    });
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined, show: () => undefined } as unknown as vscode.LogOutputChannel;
    const keys = { environment: () => Promise.resolve({ OPENAI_API_KEY: "sk-test" }) };
    const server = new ServerManager({
        log,
        keys: keys as never,
        hooks,
        settings,
        trusted: () => trusted,
        middleware: {},
        restartLimits: { maxRestarts: 2, windowMs: 60_000, baseDelayMs: 5, maxDelayMs: 20 },
    });
    return { server, states };
}

const settle = (ms = 60) => new Promise((resolve) => setTimeout(resolve, ms));

describe("ServerManager", () => {
    beforeEach(() => {
        ui.reset();
        FakeClient.instances = [];
    });

    it("starts `<python> -P -m splice serve` with the keys in its environment and the settings as initializationOptions", async () => {
        const python = fakePython();
        const { server, states } = manager(python, false);
        await server.start();
        const [client] = FakeClient.instances;
        assert.equal(client.serverOptions.command, python);
        assert.deepEqual(client.serverOptions.args, ["-P", "-m", "splice", "serve"]);
        assert.equal(client.serverOptions.options.env.OPENAI_API_KEY, "sk-test");
        assert.deepEqual(client.clientOptions.initializationOptions, {
            splice: { model: "openai/gpt-4o-mini", budget: { daily: 1 } },
            workspaceTrusted: false,
        });
        assert.ok(client.clientOptions.documentSelector.some((s) => s.language === "python"));
        assert.deepEqual(states, ["starting", "running"]);
        assert.deepEqual(server.serverCommands(), ["splice.reindex"]);
        assert.equal(server.interpreter?.source, "setting");
    });

    it("sends settings on change and answers workspace/configuration with the same object", async () => {
        const { server } = manager(fakePython());
        await server.start();
        const [client] = FakeClient.instances;
        await server.sendSettings();
        assert.deepEqual(client.notifications, [
            { type: "workspace/didChangeConfiguration", params: { settings: { splice: { model: "openai/gpt-4o-mini", budget: { daily: 1 } }, workspaceTrusted: true } } },
        ]);
        const answered = await client.clientOptions.middleware.workspace.configuration(
            { items: [{ section: "splice" }, { section: "editor" }] },
            undefined,
            () => ["raw", { tabSize: 4 }],
        );
        assert.deepEqual(answered, [{ model: "openai/gpt-4o-mini", budget: { daily: 1 } }, { tabSize: 4 }]);
    });

    it("restarts a crashed server after a delay, then gives up and says so", async () => {
        const { server, states } = manager(fakePython());
        await server.start();
        assert.deepEqual(FakeClient.instances[0].crash(), { action: CloseAction.DoNotRestart, handled: true });
        await settle();
        assert.equal(FakeClient.instances.length, 2, "restarted once");
        FakeClient.instances[1].crash();
        await settle();
        assert.equal(FakeClient.instances.length, 3, "restarted twice");
        FakeClient.instances[2].crash();
        await settle();
        assert.equal(FakeClient.instances.length, 3, "no third restart");
        assert.equal(states.at(-1), "failed");
        assert.match(String(ui.called("showErrorMessage")[0].args[0]), /stopped 3 times in 1 minute \(.*will not be restarted automatically/);
        await server.restart();
        assert.equal(FakeClient.instances.length, 4, "a restart by command always goes ahead");
        assert.equal(states.at(-1), "running");
    });

    it("does not treat its own stop as a crash", async () => {
        const { server } = manager(fakePython());
        await server.start();
        const [client] = FakeClient.instances;
        await server.restart();
        assert.ok(client.stopped);
        client.crash(); // a late close event from the old process
        await settle();
        assert.equal(FakeClient.instances.length, 2);
    });

    it("does not start a client when the interpreter cannot run Splice", async () => {
        const failures: string[] = [];
        const { server, states } = manager("/nonexistent/python", true, (r) => {
            failures.push(r.problem);
        });
        await server.start();
        assert.equal(FakeClient.instances.length, 0);
        assert.deepEqual(failures, ["no-interpreter"]);
        assert.equal(states.at(-1), "failed");
        await assert.rejects(server.executeCommand("splice.reindex", {}), /The Splice server is not running/);
    });
});
