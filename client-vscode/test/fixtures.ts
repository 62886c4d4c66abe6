/** Proposals shaped like the server's `splice/proposal` answers. */
import type { Hunk, Proposal, ProposalFile } from "../src/protocol";

/** `newStart` is 0-based, as the server sends it; the header shows it 1-based. */
export function hunk(id: string, newStart: number, text = "-old\n+new\n"): Hunk {
    return { id, header: `@@ -${newStart + 1},1 +${newStart + 1},1 @@`, oldStart: newStart, oldLines: 1, newStart, newLines: 1, text };
}

export function file(path: string, hunks: Hunk[], over: Partial<ProposalFile> = {}): ProposalFile {
    return { uri: `file:///w/${path}`, path, kind: "modify", originalText: "a\nb\nc\n", proposedText: "a\nB\nc\n", hunks, ...over };
}

export function proposal(id: string, files: ProposalFile[], over: Partial<Proposal> = {}): Proposal {
    return { id, title: `Proposal ${id}`, rationale: "because", status: "pending", flags: [], files, ...over };
}
