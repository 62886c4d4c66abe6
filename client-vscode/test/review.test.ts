/** The inline review driven end to end against the vscode stub and a fake server. */
import "./setup";
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import type * as vscode from "vscode";
import type { ServerManager } from "../src/client";
import type { Proposal } from "../src/protocol";
import { hunkFor, InlineReview, ReviewCommands } from "../src/review";
import { ReviewSession } from "../src/proposal";
import { closeAllTabs, commands, files, openDocuments, Position, Selection, ui, Uri, window } from "./vscode-stub";
import { file, hunk, proposal } from "./fixtures";

class FakeServer {
    readonly proposals = new Map<string, Proposal>();
    readonly executed: { command: string; args: unknown }[] = [];
    failApply: string | undefined;
    /** The Outcome status applyProposal answers with (server/splice/lsp/review.py). */
    applyStatus = "applied";
    serves = false;

    request<R>(method: string, params: { id: string }): Promise<R> {
        assert.equal(method, "splice/proposal");
        const p = this.proposals.get(params.id);
        return p ? Promise.resolve(p as R) : Promise.reject(new Error(`unknown proposal ${params.id}`));
    }

    executeCommand(command: string, args: unknown): Promise<unknown> {
        this.executed.push({ command, args });
        if (this.failApply && command === "splice.applyProposal") {
            return Promise.reject(new Error(this.failApply));
        }
        const { id } = args as { id: string };
        if (command === "splice.applyProposal") {
            const applied = this.applyStatus === "applied";
            return Promise.resolve({ id, applied, status: this.applyStatus, message: applied ? "Applied." : "The editor did not apply the edit." });
        }
        return Promise.resolve({ id, applied: false, status: "rejected", message: "Rejected; nothing applied." });
    }

    servesProposalDocuments(): boolean {
        return this.serves;
    }
}

const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as vscode.LogOutputChannel;
const memento = { get: () => true, update: () => Promise.resolve() } as unknown as vscode.Memento;

function setup(...proposals: Proposal[]) {
    ui.reset();
    const server = new FakeServer();
    for (const p of proposals) {
        server.proposals.set(p.id, p);
        for (const f of p.files) {
            files.set(f.uri, f.originalText);
        }
    }
    let changes = 0;
    const review = new InlineReview(server as unknown as ServerManager, log, memento, () => changes++);
    const lensProvider = ui.called("registerCodeLensProvider")[0].args[1] as {
        provideCodeLenses(doc: unknown): { command?: { title: string; command: string; arguments?: unknown[] } }[];
    };
    const lenses = (uri: string) =>
        lensProvider.provideCodeLenses({ uri: Uri.parse(uri), lineCount: 50 }).map((l) => [l.command?.title, l.command?.command, l.command?.arguments]);
    return { server, review, lenses, changes: () => changes };
}

const twoFiles = () => proposal("p1", [file("a.py", [hunk("h1", 2), hunk("h2", 9)]), file("b.py", [hunk("h3", 1)])], { title: "Add docstrings" });

describe("inline review", () => {
    beforeEach(() => ui.reset());

    it("opens a diff per file between the file and its proposal document", async () => {
        const { review } = setup(twoFiles());
        await review.open("p1");
        const diffs = ui.called("command:vscode.diff").map((c) => [String(c.args[0]), String(c.args[1]), c.args[2]]);
        assert.deepEqual(diffs, [
            ["file:///w/a.py", "splice-proposal:/a.py?id=p1", "a.py ↔ Splice: Add docstrings"],
            ["file:///w/b.py", "splice-proposal:/b.py?id=p1", "b.py ↔ Splice: Add docstrings"],
        ]);
        const schemes = ui.called("registerTextDocumentContentProvider").map((c) => c.args[0]);
        assert.deepEqual(schemes, ["splice-base", "splice-proposal"], "the client serves proposals when the server does not");
    });

    it("uses the server's proposal documents when it declares the scheme", async () => {
        const { review, server } = setup(twoFiles());
        server.serves = true;
        await review.open("p1");
        assert.deepEqual(ui.called("registerTextDocumentContentProvider").map((c) => c.args[0]), ["splice-base"]);
    });

    it("puts Accept/Reject lenses on each hunk of the file shown", async () => {
        const { review, lenses } = setup(twoFiles());
        await review.open("p1");
        assert.deepEqual(lenses("splice-proposal:/a.py?id=p1").slice(3), [
            ["$(check) Accept hunk 1/3", ReviewCommands.ACCEPT_HUNK, ["p1", "h1"]],
            ["$(close) Reject", ReviewCommands.REJECT_HUNK, ["p1", "h1"]],
            ["$(check) Accept hunk 2/3", ReviewCommands.ACCEPT_HUNK, ["p1", "h2"]],
            ["$(close) Reject", ReviewCommands.REJECT_HUNK, ["p1", "h2"]],
        ]);
        assert.deepEqual(lenses("splice-proposal:/b.py?id=other"), []);
    });

    it("applies exactly the accepted hunks once every hunk is decided, then closes the diffs", async () => {
        const { review, server, lenses } = setup(twoFiles());
        await review.open("p1");
        await commands.executeCommand(ReviewCommands.ACCEPT_HUNK, "p1", "h1");
        await commands.executeCommand(ReviewCommands.REJECT_HUNK, "p1", "h2");
        assert.equal(server.executed.length, 0, "nothing is sent while a hunk is undecided");
        assert.equal(lenses("splice-proposal:/a.py?id=p1")[3][0], "$(check) Accepted hunk 1/3 — undo");
        ui.answers.push("Apply"); // the final summary before anything is written
        await commands.executeCommand(ReviewCommands.ACCEPT_HUNK, "p1", "h3");
        assert.deepEqual(ui.called("showInformationMessage")[0]?.args.slice(0, 1), ["Apply 2 of 3 hunks of “Add docstrings”?"]);
        assert.deepEqual(server.executed, [{ command: "splice.applyProposal", args: { id: "p1", hunks: ["h1", "h3"] } }]);
        assert.equal(review.registry.get("p1"), undefined);
        assert.deepEqual(ui.called("closeTabs").map((c) => c.args[0]), [2]);
        assert.equal(ui.called("showInformationMessage").length, 1, "the server announces the outcome; the client does not repeat it");
    });

    it("keeps a proposal the editor did not apply, and offers to review it again", async () => {
        const { review, server } = setup(twoFiles());
        server.applyStatus = "pending";
        await review.open("p1");
        ui.answers.push("Review Again");
        await commands.executeCommand(ReviewCommands.ACCEPT_ALL, "p1");
        assert.match(String(ui.called("showWarningMessage").at(-1)?.args[0]), /“Add docstrings” was not applied and is still pending/);
        await new Promise((resolve) => setImmediate(resolve));
        assert.ok(review.registry.get("p1"), "Review Again reopened it");
        assert.equal(ui.called("command:vscode.diff").length, 4);
    });

    it("turns rejecting every hunk into rejectProposal", async () => {
        const { review, server } = setup(twoFiles());
        await review.open("p1");
        await commands.executeCommand(ReviewCommands.REJECT_ALL, "p1");
        assert.deepEqual(server.executed, [{ command: "splice.rejectProposal", args: { id: "p1" } }]);
        assert.match(String(ui.called("showInformationMessage").at(-1)?.args[0]), /nothing was changed/);
    });

    it("applies the hunks checked in the checklist", async () => {
        const { review, server } = setup(twoFiles());
        await review.open("p1");
        ui.answers.push([{ id: "h2" }]);
        await commands.executeCommand(ReviewCommands.CHOOSE_HUNKS, Uri.parse("splice-proposal:/a.py?id=p1"));
        assert.deepEqual(server.executed, [{ command: "splice.applyProposal", args: { id: "p1", hunks: ["h2"] } }]);
    });

    it("asks before reviewing a second proposal for the same file", async () => {
        const second = proposal("p2", [file("a.py", [hunk("h9", 4)])], { title: "Rename x" });
        const { review, server } = setup(twoFiles(), second);
        await review.open("p1");
        ui.answers.push("Keep Reviewing It");
        await review.open("p2");
        assert.match(String(ui.called("showWarningMessage")[0].args[0]), /a\.py already has a Splice proposal under review \(“Add docstrings”\)/);
        assert.equal(review.registry.get("p2"), undefined);
        assert.deepEqual(review.pendingTitles().map((p) => [p.id, p.open]), [["p1", true], ["p2", false]]);
        ui.answers.push("Discard “Add docstrings”");
        await review.open("p2");
        assert.deepEqual(server.executed, [{ command: "splice.rejectProposal", args: { id: "p1" } }]);
        assert.ok(review.registry.get("p2"));
    });

    it("warns when the file was edited meanwhile, and applies only if the user insists", async () => {
        const { review, server } = setup(twoFiles());
        await review.open("p1");
        openDocuments.push({ uri: Uri.parse("file:///w/a.py"), getText: () => "a\nedited\nc\n" });
        await commands.executeCommand(ReviewCommands.ACCEPT_ALL, "p1");
        const warning = ui.called("showWarningMessage").at(-1)!;
        assert.match(String(warning.args[0]), /a\.py was edited\. Splice will keep your edits and refuse hunks that overlap them/);
        assert.equal(server.executed.length, 0, "dismissing the warning sends nothing");
        assert.ok(review.registry.get("p1"), "the review stays open");
        ui.answers.push("Apply Anyway");
        await commands.executeCommand(ReviewCommands.ACCEPT_ALL, "p1");
        assert.deepEqual(server.executed, [{ command: "splice.applyProposal", args: { id: "p1" } }]);
    });

    it("reports a refusal from the server and keeps nothing half-done", async () => {
        const { review, server } = setup(twoFiles());
        server.failApply = "hunk h1 overlaps your edit of a.py";
        await review.open("p1");
        await commands.executeCommand(ReviewCommands.ACCEPT_ALL, "p1");
        assert.match(String(ui.called("showErrorMessage").at(-1)?.args[0]), /could not apply “Add docstrings”: hunk h1 overlaps your edit of a\.py/);
        assert.equal(review.registry.get("p1"), undefined);
    });

    it("keeps the proposal when its diff is closed undecided", async () => {
        const { review, server } = setup(twoFiles());
        await review.open("p1");
        closeAllTabs();
        assert.equal(review.registry.get("p1"), undefined);
        assert.deepEqual(review.pendingTitles(), [{ id: "p1", title: "Add docstrings", open: false }]);
        assert.match(String(ui.called("showInformationMessage").at(-1)?.args[0]), /was closed; the proposal is kept, nothing was applied/);
        assert.equal(server.executed.length, 0);
    });

    it("says so when the proposal cannot be loaded or was already decided", async () => {
        const { review } = setup(proposal("done", [file("a.py", [hunk("h1", 1)])], { status: "applied" }));
        await review.open("missing");
        assert.match(String(ui.called("showErrorMessage")[0].args[0]), /could not load proposal missing: unknown proposal missing/);
        await review.open("done");
        assert.match(String(ui.called("showInformationMessage")[0].args[0]), /is already applied/);
        assert.equal(ui.called("command:vscode.diff").length, 0);
    });

    it("diffs a created file against an empty base document", async () => {
        const created = proposal("p3", [file("new.py", [hunk("h1", 1)], { kind: "create", originalText: "" })]);
        const { review } = setup(created);
        files.delete("file:///w/new.py");
        await review.open("p3");
        const [left, right] = ui.called("command:vscode.diff")[0].args.map(String);
        assert.deepEqual([left, right], ["splice-base:/new.py?id=p3", "splice-proposal:/new.py?id=p3"]);
    });
});

describe("review without diffEditor.codeLens (a fresh profile)", () => {
    beforeEach(() => {
        ui.reset();
        window.visibleTextEditors = [];
        window.activeTextEditor = undefined;
    });

    it("title buttons decide the hunk at the cursor, then the next undecided one", async () => {
        const { review, server } = setup(twoFiles());
        await review.open("p1");
        const decorations: unknown[][] = [];
        const editor = {
            document: { uri: Uri.parse("splice-proposal:/a.py?id=p1"), lineCount: 50 },
            selection: new Selection(new Position(9, 0), new Position(9, 0)),
            setDecorations: (_type: unknown, ranges: unknown[]) => decorations.push(ranges),
            revealRange: () => undefined,
        };
        window.activeTextEditor = editor;
        window.visibleTextEditors = [editor];
        await commands.executeCommand(ReviewCommands.REJECT_HERE); // the cursor is on hunk h2 (line 9)
        assert.equal(review.registry.get("p1")?.decision("h2"), "rejected");
        // the rejected hunk now looks rejected: its proposed line is decorated (struck through, "✗ rejected")
        const struck = (decorations.at(-1) ?? []) as { start: { line: number }; end: { line: number } }[];
        assert.deepEqual(struck.map((r) => [r.start.line, r.end.line]), [[9, 9]]);
        assert.equal(editor.selection.active.line, 2, "the cursor moves on to the next undecided hunk of the file");
        await commands.executeCommand(ReviewCommands.ACCEPT_HERE);
        assert.equal(review.registry.get("p1")?.decision("h1"), "accepted");
        ui.answers.push("Review Again"); // the final summary: not yet — the last hunk opens again, nothing is sent
        await commands.executeCommand(ReviewCommands.ACCEPT_HERE); // nothing left in a.py: b.py's hunk
        assert.deepEqual(server.executed, []);
        assert.equal(review.registry.get("p1")?.decision("h3"), undefined);
        assert.match(String((ui.called("showInformationMessage")[0]?.args[1] as { detail: string }).detail), /Changes a\.py, b\.py; 1 rejected hunk stays out/);
        ui.answers.push("Apply");
        await commands.executeCommand(ReviewCommands.ACCEPT_HERE);
        assert.deepEqual(server.executed, [{ command: "splice.applyProposal", args: { id: "p1", hunks: ["h1", "h3"] } }]);
    });

    it("hunkFor prefers the hunk at the line, then the next one, then the first undecided", () => {
        const session = new ReviewSession(twoFiles());
        assert.equal(hunkFor(session, "a.py", 9)?.hunk.id, "h2");
        assert.equal(hunkFor(session, "a.py", 5)?.hunk.id, "h2");
        assert.equal(hunkFor(session, "a.py", 30)?.hunk.id, "h1");
        session.decide("h1", "accepted");
        session.decide("h2", "rejected");
        assert.equal(hunkFor(session, "a.py", 0)?.hunk.id, "h3");
        assert.equal(hunkFor(session, undefined, 0)?.hunk.id, "h3");
    });
});
