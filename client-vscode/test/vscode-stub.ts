/**
 * A hand-written stand-in for the `vscode` module: just enough API for the client's modules to load and for the
 * review flow to run, recording what the extension asked VS Code to do. Tests script the user's answers through
 * `ui.answers` and read `ui.calls`.
 */

export interface Call {
    api: string;
    args: unknown[];
}

export const ui = {
    calls: [] as Call[],
    /** Answers for show*Message / showQuickPick / showInputBox, consumed in order; undefined = dismissed. */
    answers: [] as unknown[],
    configuration: {} as Record<string, unknown>,
    clipboard: "",
    reset(): void {
        this.calls = [];
        this.answers = [];
        this.configuration = {};
        this.clipboard = "";
        commandHandlers.clear();
        tabs.length = 0;
        openDocuments.length = 0;
        files.clear();
        statusItems.length = 0;
        outputChannels.length = 0;
    },
    called(api: string): Call[] {
        return this.calls.filter((c) => c.api === api);
    },
};

function record(api: string, args: unknown[]): unknown {
    ui.calls.push({ api, args });
    return ui.answers.length > 0 ? ui.answers.shift() : undefined;
}

export class Uri {
    private constructor(
        readonly scheme: string,
        readonly authority: string,
        readonly path: string,
        readonly query: string,
        readonly fragment: string,
    ) {}

    static parse(value: string): Uri {
        const m = /^([a-zA-Z][\w+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(value);
        if (!m) {
            throw new Error(`bad uri ${value}`);
        }
        return new Uri(m[1], m[2] ?? "", decodeURIComponent(m[3]), m[4] ?? "", m[5] ?? "");
    }

    static file(path: string): Uri {
        return new Uri("file", "", path, "", "");
    }

    static from(parts: { scheme: string; authority?: string; path?: string; query?: string; fragment?: string }): Uri {
        return new Uri(parts.scheme, parts.authority ?? "", parts.path ?? "", parts.query ?? "", parts.fragment ?? "");
    }

    get fsPath(): string {
        return this.path;
    }

    toString(): string {
        const authority = this.authority || this.scheme === "file" ? `//${this.authority}` : "";
        return `${this.scheme}:${authority}${this.path}${this.query ? `?${this.query}` : ""}`;
    }
}

export class Position {
    constructor(
        readonly line: number,
        readonly character: number,
    ) {}
}

export class Range {
    readonly start: Position;
    readonly end: Position;
    constructor(startLine: number, startCharacter: number, endLine: number, endCharacter: number) {
        this.start = new Position(startLine, startCharacter);
        this.end = new Position(endLine, endCharacter);
    }
}

export class Selection extends Range {
    readonly active: Position;
    constructor(anchor: Position, active: Position) {
        super(anchor.line, anchor.character, active.line, active.character);
        this.active = active;
    }
}

export enum TextEditorRevealType {
    Default = 0,
    InCenter = 1,
    InCenterIfOutsideViewport = 2,
    AtTop = 3,
}

export class CodeLens {
    constructor(
        readonly range: Range,
        readonly command?: { title: string; command: string; arguments?: unknown[] },
    ) {}
}

export class ThemeColor {
    constructor(readonly id: string) {}
}

export class Disposable {
    constructor(private readonly onDispose: () => void = () => undefined) {}
    dispose(): void {
        this.onDispose();
    }
}

export class EventEmitter<T> {
    private listeners: ((value: T) => void)[] = [];
    readonly event = (listener: (value: T) => void): Disposable => {
        this.listeners.push(listener);
        return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
    };
    fire(value: T): void {
        for (const l of this.listeners) {
            l(value);
        }
    }
    dispose(): void {
        this.listeners = [];
    }
}

export class CancellationError extends Error {}

export class TabInputTextDiff {
    constructor(
        readonly original: Uri,
        readonly modified: Uri,
    ) {}
}

export enum StatusBarAlignment {
    Left = 1,
    Right = 2,
}

export enum ProgressLocation {
    Notification = 15,
}

export enum ConfigurationTarget {
    Global = 1,
}

export enum ViewColumn {
    Beside = -2,
}

const commandHandlers = new Map<string, (...args: unknown[]) => unknown>();
const tabs: { input: unknown }[] = [];
const tabsChanged = new EventEmitter<{ closed: { input: unknown }[]; opened: unknown[]; changed: unknown[] }>();
export const statusItems: { text: string; tooltip: string }[] = [];
export const outputChannels: { name: string; lines: string[] }[] = [];
export const registeredCommands = (): string[] => [...commandHandlers.keys()];
export const openDocuments: { uri: Uri; getText(): string }[] = [];
/** Files on "disk" for workspace.fs.readFile, by URI string. */
export const files = new Map<string, string>();

/** Test helper: simulate the user closing every tab. */
export function closeAllTabs(): void {
    const closed = tabs.splice(0, tabs.length);
    tabsChanged.fire({ closed, opened: [], changed: [] });
}

export const commands = {
    registerCommand(id: string, handler: (...args: unknown[]) => unknown): Disposable {
        if (commandHandlers.has(id)) {
            throw new Error(`command ${id} already registered`);
        }
        commandHandlers.set(id, handler);
        return new Disposable(() => commandHandlers.delete(id));
    },
    executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
        ui.calls.push({ api: `command:${id}`, args });
        if (id === "vscode.diff") {
            tabs.push({ input: new TabInputTextDiff(args[0] as Uri, args[1] as Uri) });
        }
        const handler = commandHandlers.get(id);
        return Promise.resolve(handler ? handler(...args) : undefined);
    },
};

export const window = {
    activeTextEditor: undefined as unknown,
    activeTerminal: undefined as unknown,
    showInformationMessage: (...args: unknown[]) => Promise.resolve(record("showInformationMessage", args)),
    showWarningMessage: (...args: unknown[]) => Promise.resolve(record("showWarningMessage", args)),
    showErrorMessage: (...args: unknown[]) => Promise.resolve(record("showErrorMessage", args)),
    showQuickPick: (...args: unknown[]) => Promise.resolve(record("showQuickPick", args)),
    showInputBox: (...args: unknown[]) => Promise.resolve(record("showInputBox", args)),
    withProgress: <T>(options: unknown, task: (progress: unknown, token: unknown) => Promise<T>): Promise<T> => {
        ui.calls.push({ api: "withProgress", args: [options] });
        return task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => new Disposable() });
    },
    createStatusBarItem: () => {
        const item = { text: "", tooltip: "", show: () => undefined, hide: () => undefined, dispose: () => undefined };
        statusItems.push(item);
        return item;
    },
    createOutputChannel: (name: string) => {
        const channel = {
            name,
            lines: [] as string[],
            info: (line: string) => channel.lines.push(`info ${line}`),
            warn: (line: string) => channel.lines.push(`warn ${line}`),
            error: (line: string) => channel.lines.push(`error ${line}`),
            show: () => ui.calls.push({ api: "showOutput", args: [name] }),
            dispose: () => undefined,
        };
        outputChannels.push(channel);
        return channel;
    },
    onDidChangeActiveTextEditor: () => new Disposable(),
    registerTreeDataProvider: (...args: unknown[]) => {
        ui.calls.push({ api: "registerTreeDataProvider", args });
        return new Disposable();
    },
    onDidChangeVisibleTextEditors: () => new Disposable(),
    /** Editors the tests make visible; `setDecorations` calls are recorded as "setDecorations". */
    visibleTextEditors: [] as unknown[],
    createTextEditorDecorationType: (options: unknown) => ({ options, dispose: () => undefined }),
    tabGroups: {
        get all() {
            return [{ tabs: [...tabs] }];
        },
        get activeTabGroup() {
            return { activeTab: tabs[tabs.length - 1] };
        },
        onDidChangeTabs: tabsChanged.event,
        close: (closing: { input: unknown }[]) => {
            for (const tab of closing) {
                const i = tabs.indexOf(tab);
                if (i >= 0) {
                    tabs.splice(i, 1);
                }
            }
            ui.calls.push({ api: "closeTabs", args: [closing.length] });
            return Promise.resolve(true);
        },
    },
};

export const workspace = {
    isTrusted: true,
    workspaceFolders: undefined as unknown,
    get textDocuments() {
        return openDocuments;
    },
    getConfiguration: (section: string) => ({
        get: (key: string) => ui.configuration[`${section}.${key}`],
        inspect: (key: string) => ({ globalValue: ui.configuration[`${section}.${key}`] }),
        update: (key: string, value: unknown) => {
            ui.calls.push({ api: "updateConfiguration", args: [`${section}.${key}`, value] });
            return Promise.resolve();
        },
    }),
    onDidChangeConfiguration: () => new Disposable(),
    onDidGrantWorkspaceTrust: () => new Disposable(),
    registerTextDocumentContentProvider: (scheme: string, provider: unknown) => {
        ui.calls.push({ api: "registerTextDocumentContentProvider", args: [scheme, provider] });
        return new Disposable();
    },
    fs: {
        readFile: (uri: Uri) => {
            const text = files.get(uri.toString());
            return text === undefined ? Promise.reject(new Error("ENOENT")) : Promise.resolve(new TextEncoder().encode(text));
        },
        createDirectory: () => Promise.resolve(),
    },
};

export const languages = {
    registerCodeLensProvider: (selector: unknown, provider: unknown) => {
        ui.calls.push({ api: "registerCodeLensProvider", args: [selector, provider] });
        return new Disposable();
    },
};

export const extensions = {
    getExtension: () => undefined,
};

export const env = {
    clipboard: {
        readText: () => Promise.resolve(ui.clipboard),
        writeText: (text: string) => {
            ui.clipboard = text;
            return Promise.resolve();
        },
    },
};
