/**
 * The fix offered when the chosen interpreter cannot run Splice: pick another interpreter, or create a virtual
 * environment in the extension's storage, `pip install` Splice into it and point `splice.server.python` at it.
 * Runs as child processes (not tasks) so it also works in restricted mode, with output in the Splice log.
 */

import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import { MIN_PYTHON, probe, venvPython, type ProbeResult, type PythonChoice } from "./python";
import { SECTION } from "./settings";

export const INSTALL_COMMAND = "splice.installServer";

/** The buttons offered for each probe problem (pure; the tests check them). */
export function fixesFor(problem: (ProbeResult & { ok: false })["problem"]): string[] {
    switch (problem) {
        case "no-interpreter":
        case "old-python":
            return [Fix.CHOOSE, Fix.INSTALL, Fix.SETTINGS];
        case "not-installed":
            return [Fix.INSTALL, Fix.CHOOSE, Fix.LOGS];
        case "broken":
            return [Fix.LOGS, Fix.INSTALL, Fix.CHOOSE];
    }
}

export namespace Fix {
    export const INSTALL = "Install Splice in a New Virtual Environment";
    export const CHOOSE = "Choose Interpreter…";
    export const SETTINGS = "Open Settings";
    export const LOGS = "Show Logs";
}

/** Base interpreters tried for a new venv, best first. */
export const BASE_CANDIDATES = ["python3.13", "python3.12", "python3.11", "python3", "python"];

/** The first probe result whose Python is new enough to build the venv from. */
export function pickBase(results: readonly { command: string; result: ProbeResult }[]): string | undefined {
    for (const { command, result } of results) {
        if (result.ok || result.problem === "not-installed" || result.problem === "broken") {
            return command;
        }
    }
    return undefined;
}

export class Installer {
    constructor(
        private readonly storage: vscode.Uri,
        private readonly log: vscode.LogOutputChannel,
        /** The extension's own folder: the .vsix carries the server's wheel in dist/wheel/. */
        private readonly extensionPath?: string,
    ) {}

    /** Shows the problem with its fixes and runs the one the user picks. */
    async offerFix(message: string, problem: (ProbeResult & { ok: false })["problem"], python: PythonChoice): Promise<void> {
        const where: Record<PythonChoice["source"], string> = {
            setting: " It is set in splice.server.python.",
            "python-extension": " It is the Python extension's selected interpreter.",
            default: " Set splice.server.python to use another one.",
        };
        const choice = await vscode.window.showErrorMessage(`${message}${where[python.source]}`, ...fixesFor(problem));
        if (choice === Fix.INSTALL) {
            await this.installInVenv(python.command);
        } else if (choice === Fix.CHOOSE) {
            await this.chooseInterpreter();
        } else if (choice === Fix.SETTINGS) {
            await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.server.python`);
        } else if (choice === Fix.LOGS) {
            this.log.show();
        }
    }

    async chooseInterpreter(): Promise<void> {
        const picked = await vscode.window.showOpenDialog({
            title: "Python interpreter for the Splice server",
            canSelectMany: false,
            openLabel: "Use This Interpreter",
        });
        if (picked?.[0]) {
            await vscode.workspace.getConfiguration(SECTION).update("server.python", picked[0].fsPath, vscode.ConfigurationTarget.Global);
        }
    }

    /** Creates `<storage>/venv`, installs the requirement the user confirms, and selects the venv's Python. */
    async installInVenv(preferred?: string): Promise<void> {
        const requirement = await vscode.window.showInputBox({
            title: "Install Splice",
            prompt: "What pip should install: the Splice wheel this extension carries (default), another wheel file or a Splice source folder",
            value: defaultRequirement(this.extensionPath),
            ignoreFocusOut: true,
        });
        if (!requirement) {
            return;
        }
        const venvDir = path.join(this.storage.fsPath, "venv");
        await vscode.workspace.fs.createDirectory(this.storage);
        const ok = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: "Splice: installing the server", cancellable: true },
            async (progress, token) => {
                const candidates = preferred ? [preferred, ...BASE_CANDIDATES] : BASE_CANDIDATES;
                progress.report({ message: "finding Python" });
                const results = [];
                for (const command of candidates) {
                    const result = await probe(command, undefined, 15_000);
                    results.push({ command, result });
                    if (pickBase(results)) {
                        break;
                    }
                }
                const base = pickBase(results);
                if (!base) {
                    void vscode.window.showErrorMessage(`No Python ≥ ${MIN_PYTHON.join(".")} found (tried ${candidates.join(", ")}). Install one, then choose it with “${Fix.CHOOSE}”.`);
                    return false;
                }
                progress.report({ message: `creating a virtual environment with ${base}` });
                if ((await this.run(base, ["-m", "venv", venvDir], token)) !== 0) {
                    return false;
                }
                progress.report({ message: `pip install ${requirement} (see the Splice log)` });
                const python = venvPython(venvDir, process.platform);
                return (await this.run(python, ["-m", "pip", "install", "--upgrade", requirement], token)) === 0;
            },
        );
        if (!ok) {
            const choice = await vscode.window.showErrorMessage("Installing Splice failed; the log has pip's output.", Fix.LOGS);
            if (choice === Fix.LOGS) {
                this.log.show();
            }
            return;
        }
        const python = venvPython(venvDir, process.platform);
        await vscode.workspace.getConfiguration(SECTION).update("server.python", python, vscode.ConfigurationTarget.Global);
        void vscode.window.showInformationMessage(`Splice installed in ${venvDir}; splice.server.python now points to it.`);
    }

    /** Runs one process with its output in the log; resolves to its exit code (-1 when it could not start). */
    private run(command: string, args: string[], token: vscode.CancellationToken): Promise<number> {
        this.log.info(`$ ${command} ${args.join(" ")}`);
        return new Promise((resolve) => {
            const child = spawn(command, args, { windowsHide: true });
            const cancel = token.onCancellationRequested(() => child.kill());
            child.stdout.on("data", (chunk: Buffer) => this.log.info(chunk.toString().trimEnd()));
            child.stderr.on("data", (chunk: Buffer) => this.log.warn(chunk.toString().trimEnd()));
            child.on("error", (error) => {
                this.log.error(`${command}: ${error.message}`);
                cancel.dispose();
                resolve(-1);
            });
            child.on("close", (code) => {
                cancel.dispose();
                resolve(code ?? -1);
            });
        });
    }
}

/**
 * What the new venv installs: a workspace that is a Splice checkout installs itself; otherwise the wheel the
 * extension carries (there is no "splice" on the package index; its dependencies come from pip's index).
 */
export function defaultRequirement(extensionPath: string | undefined, workspace = vscode.workspace): string {
    const folder = workspace.workspaceFolders?.[0];
    if (folder && workspace.isTrusted && isSpliceCheckout(folder.uri.fsPath)) {
        return folder.uri.fsPath;
    }
    return (extensionPath && bundledWheel(extensionPath)) ?? "";
}

/** The server wheel inside the extension (dist/wheel/splice-<version>-py3-none-any.whl), if the build put one there. */
export function bundledWheel(extensionPath: string): string | undefined {
    const folder = path.join(extensionPath, "dist", "wheel");
    try {
        const wheel = fs.readdirSync(folder).find((f) => /^splice-.+-py3-none-any\.whl$/.test(f));
        return wheel ? path.join(folder, wheel) : undefined;
    } catch {
        return undefined;
    }
}

function isSpliceCheckout(folder: string): boolean {
    try {
        const text = fs.readFileSync(path.join(folder, "pyproject.toml"), "utf8");
        return /^name\s*=\s*"splice"\s*$/m.test(text);
    } catch {
        return false;
    }
}
