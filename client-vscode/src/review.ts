/**
 * Inline diff review: `vscode.diff` between each file and its proposed version (a `splice-proposal:` document),
 * Accept/Reject CodeLenses per hunk, editor-title actions for all hunks or a checklist, and then
 * `splice.applyProposal` with the accepted hunk ids (`splice.rejectProposal` when every hunk was rejected).
 * Nothing is written by the client: the server applies the accepted hunks through workspace/applyEdit.
 */

import * as vscode from "vscode";
import type { ServerManager } from "./client";
import { Methods, PROPOSAL_SCHEME, ServerCommands } from "./protocol";
import type { Proposal, ProposalFile, ProposalReadyParams } from "./protocol";
import {
    BASE_SCHEME,
    describeStaleness,
    hunkLabel,
    hunkLine,
    parseProposalUri,
    proposalUriParts,
    ReviewRegistry,
    ReviewSession,
    staleFiles,
    type Decision,
    type HunkRef,
    type Outcome,
} from "./proposal";
import { errorText, isOutcome, resultMessage } from "./render";

export namespace ReviewCommands {
    export const OPEN = "splice.review.open";
    export const ACCEPT_HUNK = "splice.review.acceptHunk";
    export const REJECT_HUNK = "splice.review.rejectHunk";
    export const UNDO_HUNK = "splice.review.undoHunk";
    export const ACCEPT_ALL = "splice.review.acceptAll";
    export const REJECT_ALL = "splice.review.rejectAll";
    export const CHOOSE_HUNKS = "splice.review.chooseHunks";
    /** Editor-title buttons: work without `diffEditor.codeLens` (off by default, which hides the hunk lenses). */
    export const ACCEPT_HERE = "splice.review.acceptHunkHere";
    export const REJECT_HERE = "splice.review.rejectHunkHere";
}

/** The final look before the last decided hunk applies: what goes in, what stays out. */
export function finalSummary(session: ReviewSession): { title: string; detail: string } {
    const accepted = session.hunks.filter((h) => session.decision(h.hunk.id) === "accepted");
    const rejected = session.hunks.length - accepted.length;
    const files = [...new Set(accepted.map((h) => h.file.path))];
    return {
        title: `Apply ${accepted.length} of ${session.hunks.length} hunks of “${session.proposal.title}”?`,
        detail:
            `Changes ${files.join(", ")}` +
            (rejected ? `; ${rejected} rejected hunk${rejected === 1 ? " stays" : "s stay"} out.` : ".") +
            " Review Again reopens the last hunk.",
    };
}

/**
 * The hunk a title button means: the undecided hunk of `relPath` at `line` (0-based, in the proposed text), else
 * the next undecided one below it, else the file's first undecided one, else the proposal's first undecided one.
 */
export function hunkFor(session: ReviewSession, relPath: string | undefined, line: number): HunkRef | undefined {
    const open = session.hunks.filter((h) => session.decision(h.hunk.id) === undefined);
    const inFile = open.filter((h) => h.file.path === relPath);
    const start = (h: HunkRef) => hunkLine(h.hunk);
    return (
        inFile.find((h) => start(h) <= line && line < start(h) + Math.max(h.hunk.newLines, 1)) ??
        inFile.find((h) => start(h) >= line) ??
        inFile[0] ??
        open[0]
    );
}

/** Context key true while a Splice diff is the active editor (editor-title actions). */
const ACTIVE_CONTEXT = "splice.activeReview";
const CODELENS_HINT_KEY = "splice.review.codeLensHintShown";

/** The model's own words about the change (shown on the review's title lens), or undefined when it gave none. */
export function rationaleTooltip(proposal: Proposal): string | undefined {
    const why = proposal.rationale?.trim();
    return why ? `Why (the model's words):\n${why}` : undefined;
}

export function proposalUri(relPath: string, id: string, scheme: string = PROPOSAL_SCHEME): vscode.Uri {
    return vscode.Uri.from(proposalUriParts(relPath, id, scheme));
}

export class InlineReview implements vscode.Disposable {
    readonly registry = new ReviewRegistry();
    /** Proposals the server announced that are not under review (closed or postponed), by id → title. */
    readonly waiting = new Map<string, string>();
    private readonly lensesChanged = new vscode.EventEmitter<void>();
    private readonly disposables: vscode.Disposable[] = [];
    private fallbackProvider: vscode.Disposable | undefined;

    constructor(
        private readonly server: ServerManager,
        private readonly log: vscode.LogOutputChannel,
        private readonly state: vscode.Memento,
        private readonly onChange: () => void,
    ) {
        this.disposables.push(
            this.lensesChanged,
            vscode.languages.registerCodeLensProvider({ scheme: PROPOSAL_SCHEME }, {
                onDidChangeCodeLenses: this.lensesChanged.event,
                provideCodeLenses: (document) => this.codeLenses(document),
            }),
            vscode.workspace.registerTextDocumentContentProvider(BASE_SCHEME, {
                provideTextDocumentContent: (uri) => this.fileOf(uri)?.originalText ?? "",
            }),
            vscode.window.tabGroups.onDidChangeTabs((event) => this.onTabsClosed(event.closed)),
            vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()),
            vscode.commands.registerCommand(ReviewCommands.OPEN, (id?: unknown) => this.openCommand(id)),
            vscode.commands.registerCommand(ReviewCommands.ACCEPT_HUNK, (id: string, hunk: string) => this.decide(id, hunk, "accepted")),
            vscode.commands.registerCommand(ReviewCommands.REJECT_HUNK, (id: string, hunk: string) => this.decide(id, hunk, "rejected")),
            vscode.commands.registerCommand(ReviewCommands.UNDO_HUNK, (id: string, hunk: string) => this.decide(id, hunk, undefined)),
            vscode.commands.registerCommand(ReviewCommands.ACCEPT_ALL, (arg?: unknown) => this.decideAll(arg, "accepted")),
            vscode.commands.registerCommand(ReviewCommands.REJECT_ALL, (arg?: unknown) => this.decideAll(arg, "rejected")),
            vscode.commands.registerCommand(ReviewCommands.CHOOSE_HUNKS, (arg?: unknown) => this.chooseHunks(arg)),
            vscode.commands.registerCommand(ReviewCommands.ACCEPT_HERE, () => this.decideHere("accepted")),
            vscode.commands.registerCommand(ReviewCommands.REJECT_HERE, () => this.decideHere("rejected")),
            this.rejectedStyle,
            this.lensesChanged.event(() => this.decorate()),
            vscode.window.onDidChangeVisibleTextEditors(() => this.decorate()),
        );
    }

    /** A rejected hunk's proposed lines, struck through and dimmed: the diff still shows them green otherwise. */
    private readonly rejectedStyle = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        textDecoration: "line-through",
        opacity: "0.5",
        after: { contentText: "  ✗ rejected", color: new vscode.ThemeColor("errorForeground") },
    });

    private decorate(): void {
        for (const editor of vscode.window.visibleTextEditors) {
            const parsed = parseProposalUri(editor.document.uri);
            const session = parsed && this.registry.get(parsed.id);
            if (!parsed || !session) {
                continue;
            }
            const ranges = session.hunks
                .filter((h) => h.file.path === parsed.relPath && session.decision(h.hunk.id) === "rejected" && h.hunk.newLines > 0)
                .map((h) => new vscode.Range(hunkLine(h.hunk), 0, hunkLine(h.hunk) + h.hunk.newLines - 1, 0));
            editor.setDecorations(this.rejectedStyle, ranges);
        }
    }

    /** A title button: decide the hunk at the cursor (or the next undecided one), then show the next. */
    private async decideHere(decision: Decision): Promise<void> {
        const editor = vscode.window.activeTextEditor;
        const parsed = editor ? parseProposalUri(editor.document.uri) : undefined;
        const session = this.sessionFor(parsed?.id);
        if (!session) {
            void vscode.window.showWarningMessage("No Splice review is active here.");
            return;
        }
        const line = parsed && editor ? editor.selection.active.line : 0;
        const ref = hunkFor(session, parsed?.relPath, line);
        if (!ref) {
            return;
        }
        await this.decide(session.id, ref.hunk.id, decision);
        const next = this.registry.get(session.id) && hunkFor(session, ref.file.path, hunkLine(ref.hunk));
        if (next && editor && parsed && next.file.path === parsed.relPath) {
            const at = new vscode.Range(hunkLine(next.hunk), 0, hunkLine(next.hunk), 0);
            editor.selection = new vscode.Selection(at.start, at.start);
            editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
        }
    }

    /** `splice/proposalReady`: the server wants this proposal reviewed inline. */
    announce(params: ProposalReadyParams): void {
        this.waiting.set(params.id, params.title);
        this.onChange();
        void this.open(params.id);
    }

    /** Fetches the proposal and opens one diff per file; refuses a second review of the same file. */
    async open(id: string): Promise<void> {
        const existing = this.registry.get(id);
        if (existing) {
            await this.showDiffs(existing);
            return;
        }
        let proposal: Proposal;
        try {
            proposal = await this.server.request<Proposal>(Methods.PROPOSAL, { id });
        } catch (error) {
            this.waiting.delete(id);
            this.onChange();
            void vscode.window.showErrorMessage(`Splice could not load proposal ${id}: ${errorText(error)}`);
            return;
        }
        if (proposal.status && proposal.status !== "pending") {
            this.waiting.delete(id);
            this.onChange();
            void vscode.window.showInformationMessage(`Proposal “${proposal.title}” is already ${proposal.status}.`);
            return;
        }
        let session: ReviewSession;
        try {
            session = new ReviewSession(proposal);
        } catch (error) {
            void vscode.window.showErrorMessage(`Splice sent a malformed proposal: ${errorText(error)}`);
            return;
        }
        if (!(await this.resolveConflicts(proposal))) {
            return;
        }
        if (!this.server.servesProposalDocuments()) {
            this.registerFallbackProvider();
        }
        this.registry.add(session);
        this.waiting.delete(id);
        this.onChange();
        await this.showDiffs(session);
        const stale = staleFiles(proposal, await currentTexts(proposal));
        if (stale.length > 0) {
            void vscode.window.showWarningMessage(
                `${describeStaleness(stale)} Splice keeps your edits: hunks that overlap them will be refused when you apply.`,
            );
        }
        if (proposal.flags.length > 0) {
            void vscode.window.showWarningMessage(`Proposal “${proposal.title}” needs care: ${proposal.flags.join("; ")}.`);
        }
        this.lensesChanged.fire();
        await this.maybeHintCodeLens();
    }

    pendingTitles(): { id: string; title: string; open: boolean }[] {
        return [
            ...this.registry.all().map((s) => ({ id: s.id, title: s.proposal.title, open: true })),
            ...[...this.waiting].map(([id, title]) => ({ id, title, open: false })),
        ];
    }

    /** Two reviews of one file would let one silently undo the other: ask which one goes on. */
    private async resolveConflicts(proposal: Proposal): Promise<boolean> {
        for (const { session, paths } of this.registry.conflicts(proposal)) {
            const discard = `Discard “${session.proposal.title}”`;
            const keep = "Keep Reviewing It";
            const choice = await vscode.window.showWarningMessage(
                `${paths.join(", ")} already has a Splice proposal under review (“${session.proposal.title}”). ` +
                    `Review “${proposal.title}” after deciding that one, or discard it.`,
                { modal: true },
                discard,
                keep,
            );
            if (choice !== discard) {
                this.waiting.set(proposal.id, proposal.title);
                this.onChange();
                if (choice === keep) {
                    await this.showDiffs(session);
                }
                return false;
            }
            await this.send(session, { kind: "reject", args: { id: session.id } });
        }
        return true;
    }

    private async showDiffs(session: ReviewSession): Promise<void> {
        const { proposal } = session;
        for (const [i, file] of proposal.files.entries()) {
            const left = file.kind === "create" ? proposalUri(file.path, proposal.id, BASE_SCHEME) : vscode.Uri.parse(file.uri);
            const right = proposalUri(file.path, proposal.id);
            const label = file.kind === "modify" ? file.path : `${file.path} (${file.kind})`;
            await vscode.commands.executeCommand("vscode.diff", left, right, `${label} ↔ Splice: ${proposal.title}`, {
                preview: false,
                preserveFocus: i > 0,
            });
        }
        this.updateContext();
    }

    private codeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
        const parsed = parseProposalUri(document.uri);
        const session = parsed && this.registry.get(parsed.id);
        if (!parsed || !session) {
            return [];
        }
        const top = new vscode.Range(0, 0, 0, 0);
        const lenses = [
            new vscode.CodeLens(top, {
                title: `Splice: ${session.proposal.title} — ${session.summary()}`,
                command: ReviewCommands.CHOOSE_HUNKS,
                arguments: [session.id],
                tooltip: rationaleTooltip(session.proposal),
            }),
            new vscode.CodeLens(top, { title: "$(check-all) Accept All", command: ReviewCommands.ACCEPT_ALL, arguments: [session.id] }),
            new vscode.CodeLens(top, { title: "$(close-all) Reject All", command: ReviewCommands.REJECT_ALL, arguments: [session.id] }),
        ];
        for (const ref of session.hunks.filter((h) => h.file.path === parsed.relPath)) {
            const line = Math.min(hunkLine(ref.hunk), Math.max(document.lineCount - 1, 0));
            const range = new vscode.Range(line, 0, line, 0);
            const args = [session.id, ref.hunk.id];
            const where = `hunk ${ref.index}/${session.hunks.length}`;
            const decision = session.decision(ref.hunk.id);
            if (decision === undefined) {
                lenses.push(
                    new vscode.CodeLens(range, { title: `$(check) Accept ${where}`, command: ReviewCommands.ACCEPT_HUNK, arguments: args }),
                    new vscode.CodeLens(range, { title: "$(close) Reject", command: ReviewCommands.REJECT_HUNK, arguments: args }),
                );
            } else {
                lenses.push(new vscode.CodeLens(range, { title: `${decision === "accepted" ? "$(check) Accepted" : "$(close) Rejected"} ${where} — undo`, command: ReviewCommands.UNDO_HUNK, arguments: args }));
            }
        }
        return lenses;
    }

    private async decide(id: string, hunkId: string, decision: Decision | undefined): Promise<void> {
        const session = this.registry.get(id);
        if (!session) {
            void vscode.window.showWarningMessage(`Proposal ${id} is no longer under review.`);
            return;
        }
        session.decide(hunkId, decision);
        this.lensesChanged.fire();
        if (session.pending === 0) {
            if (decision !== undefined && !(await this.confirmLast(session))) {
                session.decide(hunkId, undefined); // "Review Again": the last hunk is open again, nothing is sent
                this.lensesChanged.fire();
                return;
            }
            await this.finish(session);
        }
    }

    /** One look at the whole before the last per-hunk decision applies anything: how many hunks go in. */
    private async confirmLast(session: ReviewSession): Promise<boolean> {
        const outcome = session.outcome();
        if (outcome.kind !== "apply") {
            return true; // everything rejected: nothing is written, no need to ask
        }
        const message = finalSummary(session);
        const apply = "Apply";
        const choice = await vscode.window.showInformationMessage(message.title, { modal: true, detail: message.detail }, apply, "Review Again");
        return choice === apply;
    }

    private async decideAll(arg: unknown, decision: Decision): Promise<void> {
        const session = this.sessionFor(arg);
        if (session) {
            session.decideAll(decision);
            this.lensesChanged.fire();
            await this.finish(session);
        }
    }

    /** The checklist: every hunk with a checkbox, pre-checked unless rejected; OK applies the checked ones. */
    private async chooseHunks(arg: unknown): Promise<void> {
        const session = this.sessionFor(arg);
        if (!session) {
            return;
        }
        if (session.hasHunklessFiles) {
            void vscode.window.showInformationMessage("This proposal creates, deletes or renames a file as a whole: use Accept All or Reject All.");
            return;
        }
        const items = session.hunks.map((ref) => ({
            label: hunkLabel(ref, session.hunks.length),
            picked: session.decision(ref.hunk.id) !== "rejected",
            id: ref.hunk.id,
        }));
        const picked = await vscode.window.showQuickPick(items, {
            canPickMany: true,
            title: `Splice: ${session.proposal.title} — apply the checked hunks`,
            placeHolder: "Unchecked hunks are rejected; none checked rejects the proposal",
        });
        if (picked) {
            session.decideSelection(new Set(picked.map((p) => p.id)));
            this.lensesChanged.fire();
            await this.finish(session);
        }
    }

    /** Sends the decisions to the server once every hunk has one; warns first when files changed meanwhile. */
    private async finish(session: ReviewSession): Promise<void> {
        const outcome = session.outcome();
        if (outcome.kind === "undecided") {
            return;
        }
        if (outcome.kind === "apply") {
            const stale = staleFiles(session.proposal, await currentTexts(session.proposal));
            if (stale.length > 0) {
                const apply = "Apply Anyway";
                const choice = await vscode.window.showWarningMessage(
                    `${describeStaleness(stale)} Splice will keep your edits and refuse hunks that overlap them.`,
                    { modal: true },
                    apply,
                );
                if (choice !== apply) {
                    return;
                }
            }
        }
        await this.send(session, outcome);
    }

    private async send(session: ReviewSession, outcome: Outcome): Promise<void> {
        if (outcome.kind === "undecided") {
            return;
        }
        const { title } = session.proposal;
        try {
            const result =
                outcome.kind === "apply"
                    ? await this.server.executeCommand(ServerCommands.APPLY_PROPOSAL, outcome.args)
                    : await this.server.executeCommand(ServerCommands.REJECT_PROPOSAL, outcome.args);
            this.close(session);
            this.report(session, outcome, result);
        } catch (error) {
            this.log.error(`applying ${session.id}: ${errorText(error)}`);
            const again = "Review Again";
            const choice = await vscode.window.showErrorMessage(`Splice could not apply “${title}”: ${errorText(error)}`, again);
            this.close(session);
            if (choice === again) {
                await this.open(session.id);
            }
        }
    }

    /**
     * Tells the user what happened, without repeating the server: it announces apply outcomes itself
     * (window/showMessage), so the client adds only what it knows (how many hunks) or what it can offer.
     */
    private report(session: ReviewSession, outcome: Exclude<Outcome, { kind: "undecided" }>, result: unknown): void {
        const { id, title } = session.proposal;
        if (isOutcome(result) && result.status === "pending") {
            // Not applied (the editor refused the edit, or a confirmation was cancelled): still reviewable.
            this.waiting.set(id, title);
            this.onChange();
            void vscode.window
                .showWarningMessage(`“${title}” was not applied and is still pending.`, "Review Again", "Reject")
                .then((choice) => {
                    if (choice === "Review Again") {
                        void this.open(id);
                    } else if (choice === "Reject") {
                        void this.send(session, { kind: "reject", args: { id } });
                    }
                });
            return;
        }
        if (outcome.kind === "reject") {
            void vscode.window.showInformationMessage(`Rejected “${title}”; nothing was changed.`);
        } else if (!isOutcome(result)) {
            const what = outcome.accepted === outcome.total ? "all" : `${outcome.accepted} of ${outcome.total}`;
            void vscode.window.showInformationMessage(resultMessage(result) ?? `Splice applied ${what} hunks of “${title}”.`);
        } else if (result.applied && outcome.accepted < outcome.total) {
            this.log.info(`${id}: applied ${outcome.accepted} of ${outcome.total} hunks`);
        }
    }

    private close(session: ReviewSession): void {
        this.registry.remove(session.id);
        this.waiting.delete(session.id);
        const tabs = vscode.window.tabGroups.all
            .flatMap((group) => group.tabs)
            .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && parseProposalUri(tab.input.modified)?.id === session.id);
        void vscode.window.tabGroups.close(tabs);
        this.lensesChanged.fire();
        this.onChange();
        this.updateContext();
    }

    /** A review whose diff tabs were all closed keeps its proposal; the user can come back to it. */
    private onTabsClosed(closed: readonly vscode.Tab[]): void {
        const ids = new Set(
            closed
                .map((tab) => (tab.input instanceof vscode.TabInputTextDiff ? parseProposalUri(tab.input.modified)?.id : undefined))
                .filter((id): id is string => id !== undefined),
        );
        for (const id of ids) {
            const session = this.registry.get(id);
            if (!session || this.hasOpenTab(id)) {
                continue;
            }
            this.registry.remove(id);
            this.waiting.set(id, session.proposal.title);
            this.onChange();
            const again = "Review Again";
            const reject = "Reject";
            void vscode.window
                .showInformationMessage(`The review of “${session.proposal.title}” was closed; the proposal is kept, nothing was applied.`, again, reject)
                .then(async (choice) => {
                    if (choice === again) {
                        await this.open(id);
                    } else if (choice === reject) {
                        await this.send(session, { kind: "reject", args: { id } });
                    }
                });
        }
        this.updateContext();
    }

    private hasOpenTab(id: string): boolean {
        return vscode.window.tabGroups.all
            .flatMap((group) => group.tabs)
            .some((tab) => tab.input instanceof vscode.TabInputTextDiff && parseProposalUri(tab.input.modified)?.id === id);
    }

    private async openCommand(arg: unknown): Promise<void> {
        if (typeof arg === "string") {
            await this.open(arg);
            return;
        }
        const pending = this.pendingTitles();
        if (pending.length === 0) {
            void vscode.window.showInformationMessage("No Splice proposal is waiting for review.");
            return;
        }
        const picked = await vscode.window.showQuickPick(pending.map((p) => ({ label: p.title, description: p.open ? "under review" : "waiting", id: p.id })), {
            title: "Splice: review a proposal",
        });
        if (picked) {
            await this.open(picked.id);
        }
    }

    /** The session an editor-title action (which passes the editor's URI) or a lens (which passes the id) means. */
    private sessionFor(arg: unknown): ReviewSession | undefined {
        let id = typeof arg === "string" ? arg : arg instanceof vscode.Uri ? parseProposalUri(arg)?.id : undefined;
        id ??= this.activeReviewId();
        const session = id === undefined ? undefined : this.registry.get(id);
        if (!session) {
            void vscode.window.showWarningMessage("No Splice review is active here.");
        }
        return session;
    }

    private activeReviewId(): string | undefined {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputTextDiff ? parseProposalUri(input.modified)?.id : undefined;
    }

    private updateContext(): void {
        const id = this.activeReviewId();
        void vscode.commands.executeCommand("setContext", ACTIVE_CONTEXT, id !== undefined && this.registry.get(id) !== undefined);
    }

    private fileOf(uri: vscode.Uri): ProposalFile | undefined {
        const parsed = parseProposalUri(uri);
        return parsed && this.registry.get(parsed.id)?.proposal.files.find((f) => f.path === parsed.relPath);
    }

    /** Serves proposed text from the fetched proposal when the server does not serve the scheme itself. */
    private registerFallbackProvider(): void {
        if (this.fallbackProvider) {
            return;
        }
        this.log.info(`The server does not serve ${PROPOSAL_SCHEME}: documents; the client serves them from splice/proposal`);
        this.fallbackProvider = vscode.workspace.registerTextDocumentContentProvider(PROPOSAL_SCHEME, {
            provideTextDocumentContent: (uri) => this.fileOf(uri)?.proposedText ?? "",
        });
        this.disposables.push(this.fallbackProvider);
    }

    /** CodeLenses only show in diff editors with `diffEditor.codeLens`; say so once, and offer to turn it on. */
    private async maybeHintCodeLens(): Promise<void> {
        if (vscode.workspace.getConfiguration("diffEditor").get<boolean>("codeLens") || this.state.get<boolean>(CODELENS_HINT_KEY)) {
            return;
        }
        await this.state.update(CODELENS_HINT_KEY, true);
        const enable = "Show Buttons in Diffs";
        const choice = await vscode.window.showInformationMessage(
            "Accept/Reject buttons above each hunk need CodeLens in diff editors (the editor title's ✓ / ✗ / checklist actions work without it).",
            enable,
        );
        if (choice === enable) {
            await vscode.workspace.getConfiguration("diffEditor").update("codeLens", true, vscode.ConfigurationTarget.Global);
        }
    }

    dispose(): void {
        for (const d of this.disposables) {
            d.dispose();
        }
    }
}

/** The text each file of the proposal has now: the open document (unsaved edits count), else the disk. */
async function currentTexts(proposal: Proposal): Promise<Map<string, string | undefined>> {
    const texts = new Map<string, string | undefined>();
    for (const file of proposal.files) {
        const uri = vscode.Uri.parse(file.uri);
        const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        if (open) {
            texts.set(file.path, open.getText());
            continue;
        }
        try {
            texts.set(file.path, new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
        } catch {
            texts.set(file.path, undefined);
        }
    }
    return texts;
}
