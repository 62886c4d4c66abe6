/**
 * Finding the Python that runs the server: `splice.server.python`, else the Python extension's active
 * interpreter (trusted workspaces only), else `python3`; and probing it for a usable Splice installation.
 */

import { execFile } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";

export type PythonSource = "setting" | "python-extension" | "default";

export interface PythonChoice {
    command: string;
    source: PythonSource;
}

export interface PythonInputs {
    setting: string;
    extensionInterpreter?: string;
    workspaceFolder?: string;
    home: string;
    platform: NodeJS.Platform;
}

/** Picks the interpreter; a relative setting is taken relative to the workspace folder. */
export function choosePython(inputs: PythonInputs): PythonChoice {
    const setting = inputs.setting.trim();
    if (setting) {
        return { command: expandPath(setting, inputs), source: "setting" };
    }
    if (inputs.extensionInterpreter) {
        return { command: inputs.extensionInterpreter, source: "python-extension" };
    }
    return { command: inputs.platform === "win32" ? "python" : "python3", source: "default" };
}

function expandPath(value: string, inputs: PythonInputs): string {
    let expanded = value
        .replace(/\$\{userHome\}/g, inputs.home)
        .replace(/\$\{workspaceFolder\}/g, inputs.workspaceFolder ?? "${workspaceFolder}");
    if (expanded === "~" || expanded.startsWith("~/")) {
        expanded = inputs.home + expanded.slice(1);
    }
    const isBareName = !expanded.includes("/") && !expanded.includes("\\");
    if (!isBareName && !path.isAbsolute(expanded) && inputs.workspaceFolder) {
        expanded = path.join(inputs.workspaceFolder, expanded);
    }
    return expanded;
}

/** Where the venv that "Install Splice" creates keeps its interpreter. */
export function venvPython(venvDir: string, platform: NodeJS.Platform): string {
    return platform === "win32" ? path.join(venvDir, "Scripts", "python.exe") : path.join(venvDir, "bin", "python");
}

export type ProbeResult =
    | { ok: true; version: string; pythonVersion: string }
    | { ok: false; problem: "no-interpreter" | "old-python" | "not-installed" | "broken"; detail: string };

/** Printed by the probe: the Python version first, so an old Python is told apart from a missing package. */
export const PROBE_SCRIPT =
    "import sys; print('python', '%d.%d' % sys.version_info[:2], flush=True); " +
    "sys.path = [p for p in sys.path if p not in ('', '.')]; " + // -c put the workspace first on the path
    "import splice; print('splice', splice.__version__)";

export const MIN_PYTHON: readonly [number, number] = [3, 11];

/** Turns the probe's outcome into a verdict (pure: the tests feed it recorded outputs). */
export function classifyProbe(
    error: { code?: string | number | null } | null,
    stdout: string,
    stderr: string,
): ProbeResult {
    if (error && (error.code === "ENOENT" || error.code === "EACCES")) {
        return { ok: false, problem: "no-interpreter", detail: String(error.code) };
    }
    const pythonLine = /^python (\d+)\.(\d+)$/m.exec(stdout);
    const spliceLine = /^splice (\S+)$/m.exec(stdout);
    if (!pythonLine) {
        return { ok: false, problem: "broken", detail: lastLines(stderr) || "the interpreter printed nothing" };
    }
    const pythonVersion = `${pythonLine[1]}.${pythonLine[2]}`;
    const [major, minor] = [Number(pythonLine[1]), Number(pythonLine[2])];
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
        return { ok: false, problem: "old-python", detail: pythonVersion };
    }
    if (spliceLine && !error) {
        return { ok: true, version: spliceLine[1], pythonVersion };
    }
    if (/No module named '?splice'?/.test(stderr)) {
        return { ok: false, problem: "not-installed", detail: pythonVersion };
    }
    return { ok: false, problem: "broken", detail: lastLines(stderr) || String(error?.code ?? "unknown error") };
}

function lastLines(text: string, count = 3): string {
    return text.trim().split(/\r?\n/).slice(-count).join("\n");
}

/** One sentence for the user, naming the interpreter and what is wrong with it. */
export function describeProblem(result: ProbeResult & { ok: false }, python: string): string {
    switch (result.problem) {
        case "no-interpreter":
            return `Splice could not run the Python interpreter "${python}" (${result.detail}).`;
        case "old-python":
            return `Splice needs Python ≥ ${MIN_PYTHON.join(".")}, but "${python}" is Python ${result.detail}.`;
        case "not-installed":
            return `Splice is not installed in "${python}" (Python ${result.detail}).`;
        case "broken":
            return `Splice is installed in "${python}" but fails to import: ${result.detail}`;
    }
}

export function probe(python: string, cwd: string | undefined, timeoutMs = 30_000): Promise<ProbeResult> {
    return new Promise((resolve) => {
        execFile(python, ["-c", PROBE_SCRIPT], { cwd, timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
            resolve(classifyProbe(error, String(stdout), String(stderr)));
        });
    });
}

/** The subset of the Python extension's API we use (ms-python.python ≥ 2023). */
interface PythonExtensionApi {
    environments?: {
        getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
        resolveEnvironment(env: { path: string } | string): Promise<{ executable?: { uri?: vscode.Uri } } | undefined>;
        onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
    };
}

const PYTHON_EXTENSION = "ms-python.python";

/** The Python extension's active interpreter for `resource`, or undefined when it is absent or says nothing. */
export async function extensionInterpreter(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const api = await pythonExtensionApi();
    const environments = api?.environments;
    if (!environments) {
        return undefined;
    }
    try {
        const active = environments.getActiveEnvironmentPath(resource);
        const resolved = await environments.resolveEnvironment(active);
        return resolved?.executable?.uri?.fsPath ?? active.path;
    } catch {
        return undefined;
    }
}

/** Fires when the user picks another interpreter in the Python extension. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
    const event = (await pythonExtensionApi())?.environments?.onDidChangeActiveEnvironmentPath;
    return event ? event(() => listener()) : undefined;
}

async function pythonExtensionApi(): Promise<PythonExtensionApi | undefined> {
    const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION);
    if (!extension) {
        return undefined;
    }
    try {
        return extension.isActive ? extension.exports : await extension.activate();
    } catch {
        return undefined;
    }
}

export const homeDir = (): string => os.homedir();
