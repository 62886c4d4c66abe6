/**
 * Splice's custom LSP surface as the client sees it.
 *
 * This file mirrors server/splice/lsp/protocol.py (Commands, Methods, PROPOSAL_SCHEME): change both together.
 * It holds names and wire shapes only; no vscode imports, so every module and test can use it.
 */

/** workspace/executeCommand names registered by the server. */
export namespace ServerCommands {
    export const GENERATE = "splice.generate";
    export const EXPLAIN_ERROR = "splice.explainError";
    export const SHOW_CONTEXT = "splice.showContext";
    export const APPLY_PROPOSAL = "splice.applyProposal";
    export const REJECT_PROPOSAL = "splice.rejectProposal";
    export const UNDO = "splice.undo";
    export const REINDEX = "splice.reindex";
    export const USAGE = "splice.usage";
    /** A model answer written elsewhere (pasted) becomes a reviewed proposal. */
    export const PROPOSE_EDIT = "splice.proposeEdit";
    /** {target, uri?, range?, scope?, rules?, old?}: assess and plan a migration. */
    export const MIGRATE = "splice.migrate";
    /** {id?, steps?, path?}: the next migration step(s) through the review. */
    export const MIGRATE_CONTINUE = "splice.migrateContinue";
    /** {id?}: undo every applied step of a migration (one reviewed change). */
    export const MIGRATE_ABORT = "splice.migrateAbort";
}

/** Custom requests and notifications, all under `splice/`. */
export namespace Methods {
    /** Request {id} → Proposal. */
    export const PROPOSAL = "splice/proposal";
    /** Notification server → client: a proposal waits for the inline review. */
    export const PROPOSAL_READY = "splice/proposalReady";
    /** Notification server → client: indexing progress. */
    export const INDEX_STATUS = "splice/indexStatus";
    /** Notification server → client after each model call. */
    export const USAGE = "splice/usage";
    /** Notification server → client: a migration's steps and remaining sites changed. */
    export const MIGRATION_STATUS = "splice/migrationStatus";
}

export interface MigrationStep {
    id: string;
    kind: "rule" | "model" | "command" | "create" | "rename" | "delete" | "ask";
    title: string;
    status: "pending" | "proposed" | "applying" | "done" | "failed" | "skipped";
    attempts: number;
    proposal: string | null;
    dollars: number;
    reason: string;
}

/** The payload of splice/migrationStatus (and of the migrate commands' results). */
export interface MigrationStatus {
    id: string;
    target: string;
    state: "active" | "finished" | "aborted";
    done: number;
    total: number;
    sitesLeft: number;
    sitesTotal: number;
    current: string | null;
    dollars: number;
    plan: string;
    steps: MigrationStep[];
}

/** Virtual documents `splice-proposal:/<workspace-relative path>?id=<proposal id>` hold proposed text. */
export const PROPOSAL_SCHEME = "splice-proposal";

export interface GenerateArgs {
    uri: string;
    range: Range;
    instruction?: string;
}

export interface ExplainErrorArgs {
    text?: string;
    uri?: string;
}

export interface ProposeEditArgs {
    answer: string;
    uri?: string;
    symbol?: string;
    /** 1-based block of the answer to apply, when the server answered with `choices`. */
    block?: number;
}

export interface ShowContextArgs {
    uri: string;
    position: Position;
}

/** `hunks` omitted = apply every hunk. */
export interface ApplyProposalArgs {
    id: string;
    hunks?: string[];
}

export interface RejectProposalArgs {
    id: string;
}

export interface Position {
    line: number;
    character: number;
}

export interface Range {
    start: Position;
    end: Position;
}

export type FileChangeKind = "create" | "modify" | "delete" | "rename";

/**
 * One hunk. `oldStart`/`newStart` are 0-based line numbers (the `@@ -a,b +c,d @@` header shows them 1-based).
 * A created, deleted or renamed file has one whole-file hunk (header `create <path>`, starts 0).
 */
export interface Hunk {
    id: string;
    header: string;
    oldStart: number;
    oldLines: number;
    newStart: number;
    newLines: number;
    text: string;
}

export interface ProposalFile {
    uri: string;
    path: string;
    kind: FileChangeKind;
    originalText: string;
    proposedText: string;
    hunks: Hunk[];
}

export interface Proposal {
    id: string;
    title: string;
    rationale: string;
    status: string;
    flags: string[];
    files: ProposalFile[];
    verification?: { status: string; summary: string };
    cost?: { dollars: number; tokens: number };
}

export interface ProposalReadyParams {
    id: string;
    title: string;
    review: "inline";
}

export type IndexState = "starting" | "indexing" | "ready" | "error";

export interface IndexStatusParams {
    state: IndexState;
    done: number;
    total: number;
    message: string;
}

export interface UsageParams {
    todayCost: number;
    model: string | null;
}

/**
 * Result of applyProposal / rejectProposal / undo (server/splice/lsp/review.py `Outcome`). The server announces
 * `message` itself (window/showMessage) for apply and undo.
 */
export interface Outcome {
    id: string;
    applied: boolean;
    status: string;
    message: string;
}

/** Result of `splice.usage`. */
export interface UsageReport {
    today: { cost: number; requests: number };
    rows: Record<string, unknown>[];
}

/**
 * What the client sends as `initializationOptions` and as `workspace/didChangeConfiguration` settings:
 * the user's explicitly set `splice.*` values (nested, camelCase) and whether the workspace is trusted
 * (the server refuses verify commands when it is not).
 */
export interface ServerSettingsPayload {
    splice: Record<string, unknown>;
    workspaceTrusted: boolean;
}

/**
 * Experimental client capability announcing the inline diff review, so that `review.mode: "auto"` can pick it
 * for this client instead of the Refactor Preview.
 */
export const EXPERIMENTAL_CAPABILITIES = { splice: { inlineReview: true } } as const;
