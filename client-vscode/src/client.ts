/**
 * The server process and its LanguageClient: start (after probing the interpreter), bounded restart on crash,
 * restart by command, settings sent on start and on change, and typed access to Splice's custom methods.
 */

import * as vscode from "vscode";
import {
    CloseAction,
    DidChangeConfigurationNotification,
    ErrorAction,
    ExecuteCommandRequest,
    LanguageClient,
    TransportKind,
    type LanguageClientOptions,
    type Middleware,
    type ServerOptions,
    type StaticFeature,
} from "vscode-languageclient/node";
import { EXPERIMENTAL_CAPABILITIES, Methods, PROPOSAL_SCHEME } from "./protocol";
import type { IndexStatusParams, MigrationStatus, ProposalReadyParams, ServerSettingsPayload, UsageParams } from "./protocol";
import { choosePython, describeProblem, extensionInterpreter, homeDir, probe, type PythonChoice, type ProbeResult } from "./python";
import { errorText } from "./render";
import { DEFAULT_LIMITS, RestartPolicy, type RestartLimits } from "./restart";
import type { ApiKeyStore } from "./secrets";
import { SECTION, type ReadSettings } from "./settings";
import type { ServerState } from "./status";
import { showServerMessage } from "./messages";

/** Languages the server indexes (server/splice/index/languages.py). */
export const LANGUAGES = [
    "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go", "rust", "java", "c", "cpp",
    "csharp", "ruby", "php",
] as const;

export interface ServerHooks {
    onState(state: ServerState, message?: string): void;
    onIndexStatus(params: IndexStatusParams): void;
    onUsage(params: UsageParams): void;
    onProposalReady(params: ProposalReadyParams): void;
    /** A migration's steps or remaining sites changed (`splice/migrationStatus`). */
    onMigrationStatus?(params: MigrationStatus): void;
    /** The interpreter cannot run Splice; the user gets the fix from here. */
    onProbeFailure(result: ProbeResult & { ok: false }, python: PythonChoice): void;
}

export interface ServerEnvironment {
    log: vscode.LogOutputChannel;
    keys: ApiKeyStore;
    hooks: ServerHooks;
    settings(): ReadSettings;
    trusted(): boolean;
    middleware: Middleware;
    restartLimits?: RestartLimits;
}

/** Announces the inline review so that `review.mode: "auto"` picks it for this client. */
class ExperimentalCapabilities implements StaticFeature {
    fillClientCapabilities(capabilities: { experimental?: unknown }): void {
        capabilities.experimental = { ...(capabilities.experimental as object | undefined), ...EXPERIMENTAL_CAPABILITIES };
    }
    initialize(): void {}
    getState(): { kind: "static" } {
        return { kind: "static" };
    }
    clear(): void {}
}

export class ServerManager implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private readonly policy: RestartPolicy;
    private generation = 0;
    private crashHandled = -1;
    private restartTimer: NodeJS.Timeout | undefined;
    private queue: Promise<void> = Promise.resolve();
    private python: PythonChoice | undefined;

    constructor(private readonly env: ServerEnvironment) {
        this.policy = new RestartPolicy(env.restartLimits ?? DEFAULT_LIMITS);
    }

    /** The running client, or undefined while the server is down. */
    get running(): LanguageClient | undefined {
        return this.client?.isRunning() ? this.client : undefined;
    }

    get interpreter(): PythonChoice | undefined {
        return this.python;
    }

    start(): Promise<void> {
        return this.enqueue(() => this.doStart());
    }

    stop(): Promise<void> {
        return this.enqueue(() => this.doStop());
    }

    /** A restart the user asked for (or a new key/interpreter) gets a fresh crash budget. */
    restart(): Promise<void> {
        this.policy.reset();
        return this.enqueue(async () => {
            await this.doStop();
            await this.doStart();
        });
    }

    /** Sends the current settings to a running server (workspace/didChangeConfiguration). */
    async sendSettings(): Promise<void> {
        const client = this.running;
        if (client) {
            await client.sendNotification(DidChangeConfigurationNotification.type, { settings: this.payload() });
        }
    }

    /** Runs a server command, cancellable through `token` ($/cancelRequest). */
    async executeCommand(command: string, args: unknown, token?: vscode.CancellationToken): Promise<unknown> {
        return this.requireClient().sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] }, token);
    }

    async request<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R> {
        const client = this.requireClient();
        // With a method *name*, vscode-jsonrpc counts an `undefined` token as a second parameter and sends
        // `[params, null]`; pass the token only when there is one.
        return token ? client.sendRequest<R>(method, params, token) : client.sendRequest<R>(method, params);
    }

    /** True when the server serves `splice-proposal:` documents itself (workspace/textDocumentContent). */
    servesProposalDocuments(): boolean {
        const workspace = this.running?.initializeResult?.capabilities.workspace as
            | { textDocumentContent?: { schemes?: string[] } }
            | undefined;
        return workspace?.textDocumentContent?.schemes?.includes(PROPOSAL_SCHEME) ?? false;
    }

    /** The commands the running server registered (executeCommandProvider), for menus and context keys. */
    serverCommands(): string[] {
        return this.running?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
    }

    payload(): ServerSettingsPayload {
        return { splice: this.env.settings().server, workspaceTrusted: this.env.trusted() };
    }

    /** Chooses the interpreter the way a start would (the Python extension's only in trusted workspaces). */
    async resolvePython(): Promise<PythonChoice> {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const setting = this.env.settings().values["server.python"];
        return choosePython({
            setting: typeof setting === "string" ? setting : "",
            extensionInterpreter: this.env.trusted() ? await extensionInterpreter(folder?.uri) : undefined,
            workspaceFolder: folder?.uri.fsPath,
            home: homeDir(),
            platform: process.platform,
        });
    }

    private requireClient(): LanguageClient {
        const client = this.running;
        if (!client) {
            throw new Error("The Splice server is not running. Use “Splice: Restart Server” or see “Splice: Show Logs”.");
        }
        return client;
    }

    private enqueue(op: () => Promise<void>): Promise<void> {
        const next = this.queue.then(op, op);
        this.queue = next.catch(() => undefined);
        return next;
    }

    private async doStart(): Promise<void> {
        clearTimeout(this.restartTimer);
        const generation = ++this.generation;
        const { log, hooks } = this.env;
        hooks.onState("starting");
        const python = await this.resolvePython();
        this.python = python;
        const cwd = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
        log.info(`Starting the server with ${python.command} (from ${python.source})`);
        const probed = await probe(python.command, cwd);
        if (!probed.ok) {
            const message = describeProblem(probed, python.command);
            log.error(message);
            hooks.onState("failed", message);
            hooks.onProbeFailure(probed, python);
            return;
        }
        log.info(`Splice ${probed.version} on Python ${probed.pythonVersion}`);
        const serverOptions: ServerOptions = {
            command: python.command,
            // -P: the workspace (the working directory) is not put on sys.path, so a repository that is itself
            // pydantic, rich, httpx… never shadows the packages Splice runs on (the probe checked Python ≥ 3.11).
            args: ["-P", "-m", "splice", "serve"],
            transport: TransportKind.stdio,
            options: { cwd, env: { ...process.env, ...(await this.env.keys.environment()), PYTHONUNBUFFERED: "1" } },
        };
        const client = new LanguageClient(SECTION, "Splice", serverOptions, this.clientOptions(generation));
        client.registerFeature(new ExperimentalCapabilities());
        client.onNotification(Methods.INDEX_STATUS, (p: IndexStatusParams) => hooks.onIndexStatus(p));
        client.onNotification(Methods.USAGE, (p: UsageParams) => hooks.onUsage(p));
        client.onNotification(Methods.PROPOSAL_READY, (p: ProposalReadyParams) => hooks.onProposalReady(p));
        client.onNotification(Methods.MIGRATION_STATUS, (p: MigrationStatus) => hooks.onMigrationStatus?.(p));
        // In place of the library's handler: the same toasts, plus Open Settings / Set API Key for a missing model.
        client.onNotification("window/showMessage", (p: { type: number; message: string }) => showServerMessage(p));
        this.client = client;
        try {
            await client.start();
        } catch (error) {
            log.error(`The server failed to start: ${errorText(error)}`);
            this.onCrash(generation, `failed to start: ${errorText(error)}`);
            return;
        }
        if (generation === this.generation) {
            hooks.onState("running");
        }
    }

    private async doStop(): Promise<void> {
        clearTimeout(this.restartTimer);
        this.generation++;
        const client = this.client;
        this.client = undefined;
        if (!client) {
            return;
        }
        try {
            if (client.isRunning()) {
                await client.stop(3000);
            }
        } catch (error) {
            this.env.log.warn(`Stopping the server: ${errorText(error)}`);
        }
        try {
            await client.dispose(1000);
        } catch {
            // Already stopped: nothing left to release.
        }
        this.env.hooks.onState("stopped", "The server was stopped.");
    }

    private clientOptions(generation: number): LanguageClientOptions {
        return {
            documentSelector: LANGUAGES.map((language) => ({ scheme: "file", language })),
            outputChannel: this.env.log,
            traceOutputChannel: this.env.log,
            initializationOptions: this.payload(),
            middleware: {
                ...this.env.middleware,
                workspace: {
                    // A server that pulls `splice` settings gets the same validated object it was initialized with.
                    configuration: async (params, token, next) => {
                        const result = await next(params, token);
                        if (!Array.isArray(result)) {
                            return result;
                        }
                        const splice = this.payload().splice;
                        const values: unknown[] = result;
                        return values.map((value, i) => (params.items[i]?.section === SECTION ? splice : value));
                    },
                },
            },
            errorHandler: {
                error: (_error, _message, count) => ({ action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
                closed: () => {
                    this.onCrash(generation, "the server process exited");
                    return { action: CloseAction.DoNotRestart, handled: true };
                },
            },
        };
    }

    /** Restarts after a growing delay, or gives up after too many crashes and says so. Once per generation. */
    private onCrash(generation: number, reason: string): void {
        if (generation !== this.generation || this.crashHandled === generation) {
            return;
        }
        this.crashHandled = generation;
        const { log, hooks } = this.env;
        const decision = this.policy.onCrash(Date.now());
        if (decision.restart) {
            log.warn(`Server stopped (${reason}); restart ${decision.attempt} in ${decision.delayMs} ms`);
            hooks.onState("starting");
            this.restartTimer = setTimeout(() => {
                void this.enqueue(async () => {
                    await this.doStop();
                    await this.doStart();
                });
            }, decision.delayMs);
            return;
        }
        const message =
            `The Splice server stopped ${decision.crashes} times in ${plural(this.policy.windowMinutes, "minute")} (${reason}); ` +
            "it will not be restarted automatically.";
        log.error(message);
        hooks.onState("failed", message);
        void vscode.window.showErrorMessage(message, "Show Logs", "Restart Server").then((choice) => {
            if (choice === "Show Logs") {
                log.show();
            } else if (choice === "Restart Server") {
                void this.restart();
            }
        });
    }

    dispose(): void {
        void this.stop();
    }
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
