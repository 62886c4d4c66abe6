/** Entry point: wires the pieces together and starts the server. Logic lives in the modules it imports. */

import * as vscode from "vscode";
import { ServerManager } from "./client";
import {
    registerClientCommands,
    RESTRICTED_MESSAGE,
    serverCommandMiddleware,
    setServerCommandContext,
    warnAboutMissingKeys,
    type Services,
} from "./commands";
import { INSTALL_COMMAND, Installer } from "./install";
import { describeProblem, onInterpreterChange } from "./python";
import { Reports } from "./reports";
import { InlineReview } from "./review";
import { ApiKeyStore } from "./secrets";
import { needsRestart, readSettings, SECTION } from "./settings";
import { MigrationView } from "./migration";
import { StatusBar } from "./status";

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
    const log = vscode.window.createOutputChannel("Splice", { log: true });
    const status = new StatusBar(vscode.workspace.isTrusted);
    const migration = new MigrationView(() => vscode.workspace.workspaceFolders?.[0]?.uri);
    const keys = new ApiKeyStore(context.secrets);
    const reports = new Reports();
    const installer = new Installer(context.globalStorageUri, log, context.extensionUri.fsPath);
    const settings = () => {
        const config = vscode.workspace.getConfiguration(SECTION);
        return readSettings((key) => config.inspect(key), vscode.workspace.isTrusted);
    };
    // The middleware needs the services and the services need the server: bound once both exist.
    const bound: { services?: Services } = {};
    const server = new ServerManager({
        log,
        keys,
        settings,
        trusted: () => vscode.workspace.isTrusted,
        middleware: serverCommandMiddleware(() => bound.services),
        hooks: {
            onState: (state, serverMessage) => {
                status.update({ server: state, serverMessage });
                void vscode.commands.executeCommand("setContext", "splice.serverRunning", state === "running");
                void setServerCommandContext(state === "running" ? server.serverCommands() : []);
            },
            onIndexStatus: (index) => status.update({ index }),
            onUsage: (usage) => status.update({ model: usage.model, todayCost: usage.todayCost }),
            onProposalReady: (params) => review.announce(params),
            onMigrationStatus: (params) => migration.update(params),
            onProbeFailure: (result, python) => void installer.offerFix(describeProblem(result, python.command), result.problem, python),
        },
    });
    const review = new InlineReview(server, log, context.globalState, () => status.update({ pendingReviews: review.pendingTitles().length }));
    const services: Services = { server, review, keys, reports, log, settings, status: () => status.current };
    bound.services = services;
    manager = server;

    warnAboutSettings(settings().problems, log);
    status.update({ model: modelOf(settings().values) });
    context.subscriptions.push(
        log, status, reports, review, server, migration,
        vscode.window.registerTreeDataProvider("splice.migration", migration),
        ...registerClientCommands(services),
        vscode.commands.registerCommand(INSTALL_COMMAND, () => installer.installInVenv(server.interpreter?.command)),
        vscode.workspace.onDidChangeConfiguration(async (event) => {
            if (!event.affectsConfiguration(SECTION)) {
                return;
            }
            const current = settings();
            warnAboutSettings(current.problems, log);
            status.update({ model: modelOf(current.values) });
            await (needsRestart((s) => event.affectsConfiguration(s)) ? server.restart() : server.sendSettings());
        }),
        vscode.workspace.onDidGrantWorkspaceTrust(async () => {
            status.update({ trusted: true });
            await server.restart(); // the interpreter choice and restricted settings change with trust
        }),
    );
    const interpreterWatch = await onInterpreterChange(() => void server.restart());
    if (interpreterWatch) {
        context.subscriptions.push(interpreterWatch);
    }
    if (!vscode.workspace.isTrusted) {
        log.info(RESTRICTED_MESSAGE);
    }
    await server.start();
    if (server.running) {
        await warnAboutMissingKeys(services);
    }
}

export async function deactivate(): Promise<void> {
    await manager?.stop();
}

function modelOf(values: Record<string, unknown>): string | null {
    return typeof values.model === "string" && values.model ? values.model : null;
}

const warned = new Set<string>();

/** Each invalid value is reported once per session, not again on every unrelated settings change. */
function warnAboutSettings(problems: readonly string[], log: vscode.LogOutputChannel): void {
    for (const problem of problems.filter((p) => !warned.has(p))) {
        warned.add(problem);
        log.warn(problem);
        void vscode.window.showWarningMessage(`Splice: ${problem}`, "Open Settings").then((choice) => {
            if (choice) {
                void vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
            }
        });
    }
}
