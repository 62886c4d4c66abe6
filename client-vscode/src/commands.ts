/**
 * Palette commands. Server commands (`splice.generate`, …) are registered by vscode-languageclient from the
 * server's executeCommandProvider; the middleware here fills in their arguments when they come from the palette
 * or a menu (no arguments) and runs them with a cancellable progress notification. Client commands (keys,
 * restart, logs, menu) are registered here.
 */

import * as vscode from "vscode";
import type { Middleware } from "vscode-languageclient/node";
import type { ServerManager } from "./client";
import { ServerCommands } from "./protocol";
import type { ExplainErrorArgs, GenerateArgs, ProposeEditArgs, ShowContextArgs } from "./protocol";
import { errorText, formatDollars, isOutcome, isUsageReport, resultMarkdown, resultMessage, usageMarkdown } from "./render";
import type { InlineReview } from "./review";
import { ReviewCommands } from "./review";
import { isValidEnvName, missingKeys, requiredKeys, type ApiKeyStore } from "./secrets";
import { configuredModels, type ReadSettings } from "./settings";
import { MENU_COMMAND, type StatusState } from "./status";
import { INSTALL_COMMAND } from "./install";
import { Reports } from "./reports";

export namespace ClientCommands {
    export const SET_API_KEY = "splice.setApiKey";
    export const RESTART = "splice.restartServer";
    export const SHOW_LOGS = "splice.showLogs";
    export const MENU = MENU_COMMAND;
    export const TRUST_INFO = "splice.explainRestrictedMode";
}

/**
 * Titles for the client's cancellable progress notification for quick server work. Model calls have their own
 * (MODEL_WAITS, below); undo / proposeEdit may wait on the user's review answer, which a spinner would misrepresent.
 */
const PROGRESS_TITLES: Readonly<Record<string, string>> = {
    [ServerCommands.SHOW_CONTEXT]: "Splice: gathering context",
};

/**
 * Model calls get a notification with a Cancel button where the user is looking, saying what it waits for and
 * for how long. (The server's own work-done progress shows only as status-bar text, whose cancel is hidden.)
 */
const MODEL_WAITS: Readonly<Record<string, string>> = {
    [ServerCommands.GENERATE]: "Splice: generating",
    [ServerCommands.EXPLAIN_ERROR]: "Splice: explaining the error",
};

/** The notification's line while a model call runs: what it waits for and for how long. */
export function waitMessage(model: string | null | undefined, seconds: number): string {
    const who = model ? model : "the model";
    return seconds < 1 ? `waiting for ${who}…` : `waiting for ${who} — ${Math.floor(seconds)} s (Cancel stops the request)`;
}

export interface Services {
    server: ServerManager;
    review: InlineReview;
    keys: ApiKeyStore;
    reports: Reports;
    log: vscode.LogOutputChannel;
    settings(): ReadSettings;
    status(): StatusState;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !(value instanceof vscode.Uri) && !Array.isArray(value);
}

/** Arguments that came with the command (a code action's) are used as they are; else they are gathered. */
export function passedArgs(args: readonly unknown[], required: readonly string[]): Record<string, unknown> | undefined {
    const first = args[0];
    return isRecord(first) && required.every((k) => k in first) ? first : undefined;
}

/** The error text to explain: selection, else terminal selection, else clipboard (pure; the order is tested). */
export function chooseErrorText(sources: { selection?: string; terminal?: string; clipboard?: string }):
    | { text: string; from: "selection" | "terminal" | "clipboard" }
    | undefined {
    for (const from of ["selection", "terminal", "clipboard"] as const) {
        const text = sources[from]?.trim();
        if (text) {
            return { text, from };
        }
    }
    return undefined;
}

/** Bound lazily: the middleware is built before the server object that the services include. */
export function serverCommandMiddleware(services: () => Services | undefined): Middleware {
    return {
        executeCommand: (command, args, next): Promise<unknown> => {
            const bound = services();
            return bound ? runServerCommand(bound, command, args) : Promise.resolve(next(command, args) as unknown);
        },
        window: {
            showDocument: async (params, token, next) => {
                if (!isSplicePage(params.uri)) {
                    return next(params, token);
                }
                try {
                    await vscode.commands.executeCommand("markdown.showPreview", vscode.Uri.parse(params.uri));
                    return { success: true };
                } catch {
                    return next(params, token); // the Markdown extension is disabled: the source is readable too
                }
            },
        },
    };
}

async function runServerCommand(services: Services, command: string, args: unknown[]): Promise<unknown> {
    let commandArgs: unknown;
    try {
        commandArgs = await gatherArgs(command, args);
    } catch (error) {
        void vscode.window.showWarningMessage(errorText(error));
        return undefined;
    }
    if (commandArgs === undefined) {
        return undefined; // the user cancelled an input
    }
    const title = PROGRESS_TITLES[command];
    const modelWait = MODEL_WAITS[command];
    let result: unknown;
    try {
        if (modelWait) {
            result = await vscode.window.withProgress(
                { location: vscode.ProgressLocation.Notification, title: modelWait, cancellable: true },
                async (progress, token) => {
                    const started = Date.now();
                    const model = services.status().model;
                    progress.report({ message: waitMessage(model, 0) });
                    const timer = setInterval(() => progress.report({ message: waitMessage(model, (Date.now() - started) / 1000) }), 1000);
                    try {
                        return await services.server.executeCommand(command, commandArgs, token);
                    } finally {
                        clearInterval(timer);
                    }
                },
            );
        } else {
            result = title
                ? await vscode.window.withProgress(
                      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
                      (_progress, token) => services.server.executeCommand(command, commandArgs, token),
                  )
                : await services.server.executeCommand(command, commandArgs);
        }
    } catch (error) {
        if (isCancellation(error)) {
            services.log.info(`${command} cancelled`);
            return undefined;
        }
        void vscode.window.showErrorMessage(`Splice: ${errorText(error)}`);
        return undefined;
    }
    if (command === ServerCommands.PROPOSE_EDIT && isRecord(commandArgs)) {
        const block = await pickBlock(result);
        if (block !== undefined) {
            return runServerCommand(services, command, [{ ...commandArgs, block }]);
        }
    }
    await showResult(services, command, result);
    if (command === ServerCommands.EXPLAIN_ERROR) {
        offerFix(services, commandArgs, result);
    }
    return result;
}

/** A refusal among alternative code blocks carries one preview per block: the quick pick's items (pure). */
export function blockChoices(result: unknown): { label: string; block: number }[] {
    const choices = isRecord(result) && Array.isArray(result.choices) ? result.choices : [];
    return choices.filter((c): c is string => typeof c === "string").map((label, i) => ({ label, block: i + 1 }));
}

async function pickBlock(result: unknown): Promise<number | undefined> {
    const items = blockChoices(result);
    if (items.length === 0) {
        return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, {
        title: "Splice: the answer offers several code blocks — which one should be applied?",
    });
    return picked?.block;
}

/** After an explanation without a fix: one click asks for the fix, which arrives as a reviewed proposal. */
function offerFix(services: Services, commandArgs: unknown, result: unknown): void {
    if (!isRecord(commandArgs) || commandArgs.fix || !isRecord(result) || typeof result.document !== "string") {
        return;
    }
    const cost = typeof result.cost === "number" ? ` (${formatDollars(result.cost)}${result.cached ? ", from the cache" : ""})` : "";
    void vscode.window.showInformationMessage(`Splice explained the error${cost}.`, FIX_ACTION).then((choice) => {
        if (choice === FIX_ACTION) {
            void runServerCommand(services, ServerCommands.EXPLAIN_ERROR, [{ ...commandArgs, fix: true }]);
        }
    });
}

export const FIX_ACTION = "Fix";

/** Markdown pages the server writes under `.splice/` (explanations, context) open rendered, not as source. */
export function isSplicePage(uri: string): boolean {
    return /^file:.*\/\.splice\/.+\.md$/.test(uri);
}

function isCancellation(error: unknown): boolean {
    return error instanceof vscode.CancellationError || (isRecord(error) && error.code === -32800);
}

async function gatherArgs(command: string, args: unknown[]): Promise<unknown> {
    switch (command) {
        case ServerCommands.GENERATE:
            // A code action's arguments ({uri, kind, symbol, line, col} or {uri, all}) go through untouched.
            return passedArgs(args, ["uri"]) ?? (await generateArgs());
        case ServerCommands.EXPLAIN_ERROR:
            return passedArgs(args, ["text"]) ?? passedArgs(args, ["uri"]) ?? (await explainArgs(args));
        case ServerCommands.SHOW_CONTEXT:
            return passedArgs(args, ["uri", "position"]) ?? showContextArgs();
        case ServerCommands.PROPOSE_EDIT:
            return passedArgs(args, ["answer"]) ?? (await proposeEditArgs());
        case ServerCommands.MIGRATE:
            // "Migrate selection to…" passes {uri, range}; the palette passes nothing: both still need a target
            return passedArgs(args, ["target"]) ?? (await migrateArgs(args));
        case ServerCommands.APPLY_PROPOSAL:
        case ServerCommands.REJECT_PROPOSAL:
            if (!passedArgs(args, ["id"])) {
                throw new Error(`${command} needs a proposal id; open the proposal's review instead.`);
            }
            return args[0];
        default:
            return passedArgs(args, []) ?? {};
    }
}

async function migrateArgs(args: unknown[]): Promise<Record<string, unknown> | undefined> {
    const given = isRecord(args[0]) ? args[0] : {};
    const target = await vscode.window.showInputBox({
        title: "Splice: Migrate",
        prompt: "Migrate to what? Say from what to what.",
        placeHolder: "e.g. requests to httpx; unittest to pytest; six to python 3",
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : "Say what to migrate to"),
    });
    if (target === undefined) {
        return undefined;
    }
    if (given.uri !== undefined) {
        return { ...given, target };
    }
    const editor = vscode.window.activeTextEditor;
    const scopes = [{ label: "Whole workspace", value: {} as Record<string, unknown> }];
    if (editor && editor.document.uri.scheme === "file") {
        const uri = editor.document.uri.toString();
        scopes.unshift({ label: "This file", value: { uri } });
        if (!editor.selection.isEmpty) {
            const { start, end } = editor.selection;
            const range = { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } };
            scopes.unshift({ label: "The selection", value: { uri, range } });
        }
    }
    const scope = scopes.length > 1 ? await vscode.window.showQuickPick(scopes, { title: "Splice: Migrate — scope" }) : scopes[0];
    if (scope === undefined) {
        return undefined;
    }
    const rules = await vscode.window.showInputBox({
        title: "Splice: Migrate — rule packs (optional)",
        prompt: "Rule pack files (ast-grep YAML) or shipped packs, separated by spaces; leave empty for none",
        placeHolder: "e.g. requests-to-httpx  or  rules/my-migration.yml",
        ignoreFocusOut: true,
    });
    if (rules === undefined) {
        return undefined;
    }
    return { ...scope.value, target, rules: rules.split(/\s+/).filter((r) => r) };
}

function activeFileEditor(purpose: string): vscode.TextEditor {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.uri.scheme !== "file") {
        throw new Error(`Open a file first: Splice needs an editor to ${purpose}.`);
    }
    return editor;
}

async function generateArgs(): Promise<GenerateArgs | undefined> {
    const editor = activeFileEditor("generate code into");
    const instruction = await vscode.window.showInputBox({
        title: "Splice: Generate",
        prompt: editor.selection.isEmpty ? "What should Splice write at the cursor?" : "How should Splice change the selection?",
        placeHolder: "e.g. implement this function; add input validation; write tests for parse()",
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : "Tell Splice what to generate (stubs also have a code action: Ctrl+.)"),
    });
    if (instruction === undefined) {
        return undefined;
    }
    const { start, end } = editor.selection;
    return {
        uri: editor.document.uri.toString(),
        range: { start: { line: start.line, character: start.character }, end: { line: end.line, character: end.character } },
        instruction: instruction.trim(),
    };
}

function showContextArgs(): ShowContextArgs {
    const editor = activeFileEditor("show the context of");
    const { line, character } = editor.selection.active;
    return { uri: editor.document.uri.toString(), position: { line, character } };
}

/** The answer is the selection (e.g. in a chat transcript) or the clipboard; the edit targets the active file. */
async function proposeEditArgs(): Promise<ProposeEditArgs | undefined> {
    const editor = vscode.window.activeTextEditor;
    const selection = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : undefined;
    const answer = selection?.trim() ? selection : await vscode.env.clipboard.readText();
    if (!answer.trim()) {
        throw new Error("Copy a model answer (SEARCH/REPLACE blocks, a diff or a whole symbol) or select it first.");
    }
    const target = editor && !selection && editor.document.uri.scheme === "file" ? editor.document.uri.toString() : undefined;
    return { answer, ...(target ? { uri: target } : {}) };
}

/** Selection, else the terminal's selection, else the clipboard, else ask. */
async function explainArgs(args: unknown[]): Promise<ExplainErrorArgs | undefined> {
    const editor = vscode.window.activeTextEditor;
    // The editor's context menu passes the file's Uri, the palette nothing; anything else came from the terminal.
    const fromTerminalMenu = args.length > 0 && args[0] !== undefined && !(args[0] instanceof vscode.Uri);
    const selection = editor && !editor.selection.isEmpty && !fromTerminalMenu ? editor.document.getText(editor.selection) : undefined;
    const terminal = selection ? undefined : await terminalSelection();
    const clipboard = selection || terminal ? undefined : await vscode.env.clipboard.readText();
    const chosen = chooseErrorText({ selection, terminal, clipboard });
    const uri = editor?.document.uri.scheme === "file" ? editor.document.uri.toString() : undefined;
    if (chosen) {
        return { text: chosen.text, ...(uri ? { uri } : {}) };
    }
    const typed = await vscode.window.showInputBox({
        title: "Splice: Explain Error",
        prompt: "Paste the error or stack trace (nothing was selected and the clipboard is empty)",
        ignoreFocusOut: true,
    });
    return typed?.trim() ? { text: typed.trim(), ...(uri ? { uri } : {}) } : undefined;
}

/**
 * VS Code 1.91 has no API for a terminal's selection: copy it through the clipboard and put the clipboard back.
 * A sentinel tells "no selection" apart from "the selection equals the old clipboard".
 */
async function terminalSelection(): Promise<string | undefined> {
    if (!vscode.window.activeTerminal) {
        return undefined;
    }
    const saved = await vscode.env.clipboard.readText();
    const sentinel = `splice-no-selection-${Date.now()}`;
    await vscode.env.clipboard.writeText(sentinel);
    try {
        await vscode.commands.executeCommand("workbench.action.terminal.copySelection");
        const copied = await vscode.env.clipboard.readText();
        return copied === sentinel ? undefined : copied;
    } finally {
        await vscode.env.clipboard.writeText(saved);
    }
}

async function showResult(services: Services, command: string, result: unknown): Promise<void> {
    if (serverShowedIt(result)) {
        return;
    }
    if (command === ServerCommands.USAGE && isUsageReport(result)) {
        await services.reports.show("usage.md", usageMarkdown(result));
        return;
    }
    if (command === ServerCommands.EXPLAIN_ERROR || command === ServerCommands.SHOW_CONTEXT) {
        const title = command === ServerCommands.EXPLAIN_ERROR ? "Error explained" : "Context Splice would send";
        const markdown = resultMarkdown(title, result);
        if (markdown) {
            await services.reports.show(command === ServerCommands.EXPLAIN_ERROR ? "explanation.md" : "context.md", markdown);
            return;
        }
    }
    const review = (result as { review?: unknown; id?: unknown } | null) ?? undefined;
    if (review && review.review === "inline" && typeof review.id === "string") {
        await services.review.open(review.id);
        return;
    }
    const message = resultMessage(result);
    if (message && !isOutcome(result)) {
        void vscode.window.showInformationMessage(message);
    }
}

/**
 * The server opens its own result documents (window/showDocument: `{document}`) and reports its own refusals
 * (window/showMessage: `{error}`); the client adds nothing then.
 */
export function serverShowedIt(result: unknown): boolean {
    return isRecord(result) && (typeof result.document === "string" || typeof result.error === "string");
}

/** "Splice: Set API Key": pick the variable (from the configured models), type the key, restart the server. */
async function setApiKey(services: Services): Promise<void> {
    const values = services.settings().values;
    const apiKeyEnv = typeof values.apiKeyEnv === "string" ? values.apiKeyEnv : undefined;
    const needed = requiredKeys(configuredModels(values), apiKeyEnv);
    const stored = await services.keys.names();
    const names = [...new Set([...needed.keys(), ...stored])];
    const other = "Another variable…";
    const items = [
        ...names.map((name) => ({
            label: name,
            description: [needed.has(name) ? `for ${needed.get(name)!.join(", ")}` : "", stored.includes(name) ? "(stored)" : ""].filter(Boolean).join(" "),
        })),
        { label: other, description: "name the environment variable yourself" },
    ];
    const picked = await vscode.window.showQuickPick(items, { title: "Splice: which API key?" });
    if (!picked) {
        return;
    }
    let name = picked.label;
    if (name === other) {
        const typed = await vscode.window.showInputBox({
            title: "Environment variable for the key",
            placeHolder: "OPENAI_API_KEY",
            validateInput: (v) => (isValidEnvName(v.trim()) ? undefined : "Letters, digits and _ only, not starting with a digit"),
        });
        if (!typed) {
            return;
        }
        name = typed.trim();
    }
    const key = await vscode.window.showInputBox({
        title: `Splice: ${name}`,
        prompt: `Stored in VS Code's secret storage and given to the Splice server as ${name}; never written to settings. Leave empty to remove it.`,
        password: true,
        ignoreFocusOut: true,
    });
    if (key === undefined) {
        return;
    }
    if (key.trim()) {
        await services.keys.set(name, key.trim());
    } else {
        await services.keys.delete(name);
    }
    void vscode.window.showInformationMessage(`${key.trim() ? "Stored" : "Removed"} ${name}; restarting the Splice server to use it.`);
    await services.server.restart();
}

export interface MenuEntry {
    label: string;
    description?: string;
    command: string;
    args?: unknown[];
}

/** The status-bar menu (pure): pending reviews first, then what makes sense in the current state. */
export function menuEntries(
    state: StatusState,
    pending: readonly { id: string; title: string; open: boolean }[],
    serverCommands: readonly string[],
): MenuEntry[] {
    const entries: MenuEntry[] = pending.map((p) => ({
        label: `$(diff) Review: ${p.title}`,
        description: p.open ? "under review" : "waiting",
        command: ReviewCommands.OPEN,
        args: [p.id],
    }));
    if (state.server === "running") {
        const offered: MenuEntry[] = [
            { label: "$(sparkle) Generate…", command: ServerCommands.GENERATE },
            { label: "$(question) Explain Error", description: "selection, terminal selection or clipboard", command: ServerCommands.EXPLAIN_ERROR },
            { label: "$(list-tree) Show Context", command: ServerCommands.SHOW_CONTEXT },
            { label: "$(refresh) Reindex Workspace", command: ServerCommands.REINDEX },
            { label: "$(graph) Usage Report", command: ServerCommands.USAGE },
            { label: "$(discard) Undo Last Splice Edit", command: ServerCommands.UNDO },
            { label: "$(clippy) Propose Edit from Model Answer", description: "selection or clipboard", command: ServerCommands.PROPOSE_EDIT },
        ];
        entries.push(...offered.filter((e) => serverCommands.includes(e.command)));
    } else {
        entries.push({ label: "$(tools) Install Splice in a Virtual Environment", command: INSTALL_COMMAND });
    }
    entries.push(
        { label: "$(key) Set API Key…", command: ClientCommands.SET_API_KEY },
        { label: "$(debug-restart) Restart Server", command: ClientCommands.RESTART },
        { label: "$(output) Show Logs", command: ClientCommands.SHOW_LOGS },
    );
    if (!state.trusted) {
        entries.push({ label: "$(shield) Why Verify Commands Are Off", command: ClientCommands.TRUST_INFO });
    }
    return entries;
}

export const RESTRICTED_MESSAGE =
    "This workspace is in restricted mode, so Splice does not run verify commands (splice.verify.command or " +
    "[tool.splice] in pyproject.toml): they execute programs from the workspace. Everything else works. " +
    "Trust the workspace to let Splice check its edits with them.";

export function registerClientCommands(services: Services): vscode.Disposable[] {
    return [
        vscode.commands.registerCommand(ClientCommands.SET_API_KEY, () => setApiKey(services)),
        vscode.commands.registerCommand(ClientCommands.RESTART, () => services.server.restart()),
        vscode.commands.registerCommand(ClientCommands.SHOW_LOGS, () => services.log.show()),
        vscode.commands.registerCommand(ClientCommands.TRUST_INFO, async () => {
            const manage = "Manage Workspace Trust";
            if ((await vscode.window.showInformationMessage(RESTRICTED_MESSAGE, manage)) === manage) {
                await vscode.commands.executeCommand("workbench.trust.manage");
            }
        }),
        vscode.commands.registerCommand(ClientCommands.MENU, async () => {
            const entries = menuEntries(services.status(), services.review.pendingTitles(), services.server.serverCommands());
            const picked = await vscode.window.showQuickPick(entries, { title: "Splice" });
            if (picked) {
                await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
            }
        }),
    ];
}

/** Context keys `splice.serverCommand.<name>`: menus offer a server command only when the server registered it. */
export async function setServerCommandContext(available: readonly string[]): Promise<void> {
    for (const command of Object.values(ServerCommands)) {
        const key = `splice.serverCommand.${command.slice("splice.".length)}`;
        await vscode.commands.executeCommand("setContext", key, available.includes(command));
    }
}

/** After a start: a configured model whose key is in neither the environment nor the secret store gets a hint. */
export async function warnAboutMissingKeys(services: Services): Promise<void> {
    const values = services.settings().values;
    const apiKeyEnv = typeof values.apiKeyEnv === "string" ? values.apiKeyEnv : undefined;
    const needed = requiredKeys(configuredModels(values), apiKeyEnv);
    const missing = missingKeys(needed.keys(), { ...process.env, ...(await services.keys.environment()) });
    if (missing.length === 0) {
        return;
    }
    const models = missing.flatMap((name) => needed.get(name) ?? []);
    const choice = await vscode.window.showWarningMessage(
        `Splice has no API key for ${models.join(", ")} (${missing.join(", ")}).`,
        "Set API Key",
    );
    if (choice) {
        await vscode.commands.executeCommand(ClientCommands.SET_API_KEY);
    }
}
