/** Server commands from the palette, menus and code actions: which arguments reach the server. */
import "./setup";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { FIX_ACTION, isSplicePage, serverCommandMiddleware, waitMessage, type Services } from "../src/commands";
import { errorText } from "../src/render";
import { commands, ui, Uri, window } from "./vscode-stub";

const sent: { command: string; args: unknown }[] = [];
const reports: { name: string; markdown: string }[] = [];

const services = {
    server: {
        executeCommand: (command: string, args: unknown) => {
            sent.push({ command, args });
            return Promise.resolve(command === "splice.usage" ? { today: { cost: 0.25, requests: 2 }, rows: [] } : null);
        },
    },
    reports: { show: (name: string, markdown: string) => Promise.resolve(void reports.push({ name, markdown })) },
    review: { open: () => Promise.resolve() },
    log: { info: () => undefined },
    status: () => ({ model: "openai/gpt-4o-mini" }),
} as unknown as Services;

const middleware = serverCommandMiddleware(() => services);
const run = (command: string, ...args: unknown[]) =>
    (middleware.executeCommand as (c: string, a: unknown[], n: unknown) => Promise<unknown>)(command, args, () => undefined);

function editor(text: string, selection: [number, number, number, number] | undefined) {
    const [sl, sc, el, ec] = selection ?? [1, 4, 1, 4];
    window.activeTextEditor = {
        document: { uri: Uri.parse("file:///w/calc.py"), getText: () => text },
        selection: { isEmpty: selection === undefined, start: { line: sl, character: sc }, end: { line: el, character: ec }, active: { line: el, character: ec } },
    };
}

describe("server commands", () => {
    beforeEach(() => {
        ui.reset();
        sent.length = 0;
        reports.length = 0;
        window.activeTextEditor = undefined;
        window.activeTerminal = undefined;
    });

    it("generate from the palette sends the selection and the typed instruction", async () => {
        editor("x", [2, 0, 5, 3]);
        ui.answers.push("add validation");
        await run("splice.generate");
        assert.deepEqual(sent, [
            { command: "splice.generate", args: { uri: "file:///w/calc.py", range: { start: { line: 2, character: 0 }, end: { line: 5, character: 3 } }, instruction: "add validation" } },
        ]);
    });

    it("generate cancelled at the instruction prompt sends nothing", async () => {
        editor("x", undefined);
        await run("splice.generate");
        assert.deepEqual(sent, []);
    });

    it("generate without a file editor says what is needed", async () => {
        await run("splice.generate");
        assert.deepEqual(sent, []);
        assert.match(String(ui.called("showWarningMessage")[0].args[0]), /Open a file first/);
    });

    it("code-action arguments pass through untouched", async () => {
        const arg = { uri: "file:///w/calc.py", all: true };
        await run("splice.generate", arg);
        const diag = { uri: "file:///w/calc.py", diagnostic: { message: "boom" } };
        await run("splice.explainError", diag);
        assert.deepEqual(sent, [
            { command: "splice.generate", args: arg },
            { command: "splice.explainError", args: diag },
        ]);
    });

    it("explain error takes the selection first", async () => {
        editor("Traceback: boom", [0, 0, 0, 15]);
        ui.clipboard = "clipboard text";
        await run("splice.explainError");
        assert.deepEqual(sent[0].args, { text: "Traceback: boom", uri: "file:///w/calc.py" });
    });

    it("explain error from the terminal menu copies the terminal's selection and restores the clipboard", async () => {
        editor("selected code", [0, 0, 0, 5]);
        window.activeTerminal = {};
        ui.clipboard = "what the user had copied";
        const copy = commands.registerCommand("workbench.action.terminal.copySelection", () => {
            ui.clipboard = "ValueError: bad input";
        });
        await run("splice.explainError", { name: "bash" });
        copy.dispose();
        assert.deepEqual(sent[0].args, { text: "ValueError: bad input", uri: "file:///w/calc.py" });
        assert.equal(ui.clipboard, "what the user had copied");
    });

    it("explain error falls back to the clipboard when the terminal has no selection", async () => {
        window.activeTerminal = {};
        ui.clipboard = "KeyError: 'x'";
        await run("splice.explainError");
        assert.deepEqual(sent[0].args, { text: "KeyError: 'x'" });
        assert.equal(ui.clipboard, "KeyError: 'x'");
    });

    it("explain error with nothing anywhere asks, and sends nothing when dismissed", async () => {
        await run("splice.explainError");
        assert.equal(ui.called("showInputBox").length, 1);
        assert.deepEqual(sent, []);
    });

    it("the usage report opens as a Markdown page", async () => {
        await run("splice.usage");
        assert.deepEqual(sent, [{ command: "splice.usage", args: {} }]);
        assert.equal(reports[0].name, "usage.md");
        assert.match(reports[0].markdown, /Today: \*\*\$0\.25\*\* over 2 requests/);
    });

    it("applyProposal without an id is refused with a message", async () => {
        await run("splice.applyProposal");
        assert.deepEqual(sent, []);
        assert.match(String(ui.called("showWarningMessage")[0].args[0]), /needs a proposal id/);
    });
});

describe("model calls, explanations and server pages", () => {
    beforeEach(() => {
        ui.reset();
        sent.length = 0;
        window.activeTextEditor = undefined;
    });

    it("a model call runs in a cancellable notification that says what it waits for", async () => {
        editor("x", undefined);
        ui.answers.push("add a helper");
        await run("splice.generate");
        const [progress] = ui.called("withProgress");
        assert.deepEqual(progress?.args[0], { location: 15, title: "Splice: generating", cancellable: true });
        assert.equal(sent.length, 1);
        assert.equal(waitMessage("openai/gpt-4o-mini", 0.2), "waiting for openai/gpt-4o-mini…");
        assert.equal(waitMessage(null, 12.7), "waiting for the model — 12 s (Cancel stops the request)");
    });

    it("an explanation offers Fix, which asks again with fix: true and gets a proposal", async () => {
        const server = services.server as unknown as { executeCommand: (command: string, args: unknown) => Promise<unknown> };
        const original = server.executeCommand;
        server.executeCommand = (command: string, args: unknown) => {
            sent.push({ command, args });
            return Promise.resolve({ document: "file:///w/.splice/explanations/1e9f.md", cost: 0.0031, cached: false });
        };
        try {
            ui.answers.push(FIX_ACTION);
            await run("splice.explainError", { text: "Traceback (most recent call last):\nValueError: x" });
            await new Promise((resolve) => setTimeout(resolve, 10));
            const [offer] = ui.called("showInformationMessage");
            assert.deepEqual(offer?.args, ["Splice explained the error ($0.0031).", FIX_ACTION]);
            assert.deepEqual(
                sent.map((s) => s.args),
                [{ text: "Traceback (most recent call last):\nValueError: x" }, { text: "Traceback (most recent call last):\nValueError: x", fix: true }],
            );
        } finally {
            server.executeCommand = original;
        }
    });

    it("server pages under .splice open in the Markdown preview, other documents as usual", async () => {
        const showDocument = middleware.window?.showDocument as unknown as (p: { uri: string }, t: unknown, n: (p: unknown) => unknown) => Promise<unknown>;
        const passed: unknown[] = [];
        const page = "file:///w/.splice/context/context-20261207.md";
        assert.deepEqual(await showDocument({ uri: page }, undefined, (p) => passed.push(p)), { success: true });
        assert.equal(ui.called("command:markdown.showPreview").length, 1);
        await showDocument({ uri: "file:///w/app.py" }, undefined, (p) => passed.push(p));
        assert.deepEqual(passed, [{ uri: "file:///w/app.py" }]);
        assert.ok(isSplicePage("file:///w/.splice/explanations/1e9fc5bc.md") && !isSplicePage("file:///w/README.md"));
    });

    it("error objects read as their message, never [object Object]", () => {
        assert.equal(errorText({ code: -32603, message: "dictionary changed size" }), "dictionary changed size");
        assert.equal(errorText({ code: 1 }), '{"code":1}');
        assert.equal(errorText(new Error("boom")), "boom");
    });
});
