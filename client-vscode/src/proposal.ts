/**
 * The inline review's state, without any UI: proposal document URIs, per-hunk decisions and what they turn into
 * (`splice.applyProposal` with the accepted hunk ids, or `splice.rejectProposal` when every hunk was rejected),
 * overlapping reviews, and files that changed since the proposal was made. The server stays the authority
 * (it re-checks staleness at apply time); this only decides what to ask it.
 */

import { PROPOSAL_SCHEME } from "./protocol";
import type { ApplyProposalArgs, Hunk, Proposal, ProposalFile, RejectProposalArgs } from "./protocol";

/** Client-side scheme for the left side of a diff when there is no file on disk (created files). */
export const BASE_SCHEME = "splice-base";

export interface UriParts {
    scheme: string;
    path: string;
    query: string;
}

/** `splice-proposal:/<workspace-relative path>?id=<id>`, as components for `vscode.Uri.from`. */
export function proposalUriParts(relPath: string, id: string, scheme: string = PROPOSAL_SCHEME): UriParts {
    const normalized = relPath.replace(/\\/g, "/").replace(/^\/+/, "");
    if (!normalized || normalized.split("/").some((s) => s === "..")) {
        throw new Error(`invalid proposal path "${relPath}"`);
    }
    return { scheme, path: `/${normalized}`, query: `id=${encodeURIComponent(id)}` };
}

/** Inverse of proposalUriParts; undefined for URIs that are not proposal documents. */
export function parseProposalUri(parts: UriParts): { relPath: string; id: string } | undefined {
    if (parts.scheme !== PROPOSAL_SCHEME && parts.scheme !== BASE_SCHEME) {
        return undefined;
    }
    const match = /(?:^|&)id=([^&]*)/.exec(parts.query);
    if (!match || !parts.path.startsWith("/")) {
        return undefined;
    }
    return { relPath: parts.path.slice(1), id: decodeURIComponent(match[1]) };
}

export type Decision = "accepted" | "rejected";

export type Outcome =
    | { kind: "apply"; args: ApplyProposalArgs; accepted: number; total: number }
    | { kind: "reject"; args: RejectProposalArgs }
    | { kind: "undecided"; pending: number };

export interface HunkRef {
    file: ProposalFile;
    hunk: Hunk;
    /** 1-based position among all hunks of the proposal, for "hunk 2 of 5". */
    index: number;
}

/** One proposal under review: its hunks and the user's decision on each. */
export class ReviewSession {
    private readonly decisions = new Map<string, Decision>();
    readonly hunks: readonly HunkRef[];

    constructor(readonly proposal: Proposal) {
        const refs: HunkRef[] = [];
        const seen = new Set<string>();
        for (const file of proposal.files) {
            for (const hunk of file.hunks) {
                if (seen.has(hunk.id)) {
                    throw new Error(`proposal ${proposal.id} repeats hunk id "${hunk.id}"`);
                }
                seen.add(hunk.id);
                refs.push({ file, hunk, index: refs.length + 1 });
            }
        }
        this.hunks = refs;
    }

    get id(): string {
        return this.proposal.id;
    }

    /** Files whose change has no hunks (a created empty file, a pure rename) can only be taken all or nothing. */
    get hasHunklessFiles(): boolean {
        return this.proposal.files.some((f) => f.hunks.length === 0);
    }

    decision(hunkId: string): Decision | undefined {
        return this.decisions.get(hunkId);
    }

    decide(hunkId: string, decision: Decision | undefined): void {
        if (!this.hunks.some((h) => h.hunk.id === hunkId)) {
            throw new Error(`proposal ${this.id} has no hunk "${hunkId}"`);
        }
        if (decision === undefined) {
            this.decisions.delete(hunkId);
        } else {
            this.decisions.set(hunkId, decision);
        }
    }

    decideAll(decision: Decision): void {
        for (const ref of this.hunks) {
            this.decisions.set(ref.hunk.id, decision);
        }
    }

    /** Accept exactly `accepted` and reject the rest (the quick-pick's checkboxes). */
    decideSelection(accepted: ReadonlySet<string>): void {
        for (const ref of this.hunks) {
            this.decisions.set(ref.hunk.id, accepted.has(ref.hunk.id) ? "accepted" : "rejected");
        }
    }

    get pending(): number {
        return this.hunks.filter((h) => !this.decisions.has(h.hunk.id)).length;
    }

    get acceptedIds(): string[] {
        return this.hunks.filter((h) => this.decisions.get(h.hunk.id) === "accepted").map((h) => h.hunk.id);
    }

    /**
     * What to send the server. Every hunk accepted → apply all (hunks omitted, which also covers hunkless
     * files); some → apply those ids in proposal order; none → reject the proposal.
     */
    outcome(): Outcome {
        const total = this.hunks.length;
        if (total === 0) {
            return { kind: "undecided", pending: 0 };
        }
        if (this.pending > 0) {
            return { kind: "undecided", pending: this.pending };
        }
        const accepted = this.acceptedIds;
        if (accepted.length === 0) {
            return { kind: "reject", args: { id: this.id } };
        }
        if (accepted.length === total) {
            return { kind: "apply", args: { id: this.id }, accepted: total, total };
        }
        return { kind: "apply", args: { id: this.id, hunks: accepted }, accepted: accepted.length, total };
    }

    /** One line of progress for CodeLens and messages: "2 of 5 hunks decided (1 accepted)". */
    summary(): string {
        const decided = this.hunks.length - this.pending;
        return `${decided} of ${this.hunks.length} hunks decided (${this.acceptedIds.length} accepted)`;
    }
}

/** The 0-based line where a hunk's CodeLens goes in the proposed document (newStart is 0-based already). */
export function hunkLine(hunk: Hunk): number {
    return Math.max(hunk.newStart, 0);
}

/** A short label for a hunk: its header and the first changed line. */
export function hunkLabel(ref: HunkRef, totalHunks: number): string {
    const changed = ref.hunk.text.split(/\r?\n/).find((l) => /^[+-](?![+-]{2} )/.test(l)) ?? "";
    const excerpt = changed.length > 60 ? `${changed.slice(0, 57)}…` : changed;
    return `${ref.file.path} · hunk ${ref.index}/${totalHunks} ${ref.hunk.header}${excerpt ? `  ${excerpt}` : ""}`;
}

/** Reviews open now, by proposal id. */
export class ReviewRegistry {
    private readonly sessions = new Map<string, ReviewSession>();

    get(id: string): ReviewSession | undefined {
        return this.sessions.get(id);
    }

    all(): ReviewSession[] {
        return [...this.sessions.values()];
    }

    add(session: ReviewSession): void {
        this.sessions.set(session.id, session);
    }

    remove(id: string): void {
        this.sessions.delete(id);
    }

    /** Other open reviews that change one of the same files: reviewing both would let one undo the other. */
    conflicts(proposal: Proposal): { session: ReviewSession; paths: string[] }[] {
        const paths = new Set(proposal.files.map((f) => f.path));
        return this.all()
            .filter((s) => s.id !== proposal.id)
            .map((session) => ({ session, paths: session.proposal.files.map((f) => f.path).filter((p) => paths.has(p)) }))
            .filter((c) => c.paths.length > 0);
    }
}

export type Staleness = { path: string; reason: "edited" | "deleted" | "created" };

/**
 * Files whose current text (undefined = does not exist) differs from what the proposal was made against.
 * The server decides what survives; this lets the client warn before asking it.
 */
export function staleFiles(proposal: Proposal, current: ReadonlyMap<string, string | undefined>): Staleness[] {
    const stale: Staleness[] = [];
    for (const file of proposal.files) {
        const text = current.get(file.path);
        if (file.kind === "create") {
            if (text !== undefined) {
                stale.push({ path: file.path, reason: "created" });
            }
        } else if (text === undefined) {
            stale.push({ path: file.path, reason: "deleted" });
        } else if (normalizeEol(text) !== normalizeEol(file.originalText)) {
            stale.push({ path: file.path, reason: "edited" });
        }
    }
    return stale;
}

function normalizeEol(text: string): string {
    return text.replace(/\r\n/g, "\n");
}

export function describeStaleness(stale: readonly Staleness[]): string {
    const what = stale.map((s) =>
        s.reason === "edited" ? `${s.path} was edited` : s.reason === "deleted" ? `${s.path} no longer exists` : `${s.path} now exists`,
    );
    return `Since Splice made this proposal, ${what.join(", ")}.`;
}
