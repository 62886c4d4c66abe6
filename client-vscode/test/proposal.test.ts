import "./setup";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hunkLabel, hunkLine, parseProposalUri, proposalUriParts, ReviewRegistry, ReviewSession, staleFiles, describeStaleness } from "../src/proposal";
import { proposalUri } from "../src/review";
import { file, hunk, proposal } from "./fixtures";

describe("proposal URIs", () => {
    it("builds splice-proposal:/<path>?id=<id> and parses it back", () => {
        const parts = proposalUriParts("pkg/mod.py", "p-1");
        assert.deepEqual(parts, { scheme: "splice-proposal", path: "/pkg/mod.py", query: "id=p-1" });
        assert.deepEqual(parseProposalUri(parts), { relPath: "pkg/mod.py", id: "p-1" });
        assert.equal(proposalUri("pkg/mod.py", "p-1").toString(), "splice-proposal:/pkg/mod.py?id=p-1");
    });

    it("normalises Windows separators and encodes odd ids", () => {
        const parts = proposalUriParts("pkg\\sub\\a b.py", "x&y=1");
        assert.equal(parts.path, "/pkg/sub/a b.py");
        assert.equal(parts.query, "id=x%26y%3D1");
        assert.deepEqual(parseProposalUri(parts), { relPath: "pkg/sub/a b.py", id: "x&y=1" });
    });

    it("refuses paths that leave the workspace and URIs of other schemes", () => {
        assert.throws(() => proposalUriParts("../etc/passwd", "1"), /invalid proposal path/);
        assert.throws(() => proposalUriParts("", "1"), /invalid proposal path/);
        assert.equal(parseProposalUri({ scheme: "file", path: "/a.py", query: "id=1" }), undefined);
        assert.equal(parseProposalUri({ scheme: "splice-proposal", path: "/a.py", query: "" }), undefined);
    });
});

describe("ReviewSession", () => {
    const make = () => new ReviewSession(proposal("p1", [file("a.py", [hunk("h1", 3), hunk("h2", 10)]), file("b.py", [hunk("h3", 1)])]));

    it("stays undecided until every hunk has a decision", () => {
        const s = make();
        s.decide("h1", "accepted");
        assert.deepEqual(s.outcome(), { kind: "undecided", pending: 2 });
        assert.equal(s.summary(), "1 of 3 hunks decided (1 accepted)");
    });

    it("applies only the accepted hunks, in proposal order", () => {
        const s = make();
        s.decide("h3", "accepted");
        s.decide("h2", "rejected");
        s.decide("h1", "accepted");
        assert.deepEqual(s.outcome(), { kind: "apply", args: { id: "p1", hunks: ["h1", "h3"] }, accepted: 2, total: 3 });
    });

    it("omits hunks when all are accepted", () => {
        const s = make();
        s.decideAll("accepted");
        assert.deepEqual(s.outcome(), { kind: "apply", args: { id: "p1" }, accepted: 3, total: 3 });
    });

    it("rejects the proposal when every hunk is rejected", () => {
        const s = make();
        s.decideSelection(new Set());
        assert.deepEqual(s.outcome(), { kind: "reject", args: { id: "p1" } });
    });

    it("lets a decision be undone", () => {
        const s = make();
        s.decideAll("rejected");
        s.decide("h2", undefined);
        assert.equal(s.pending, 1);
        assert.equal(s.decision("h2"), undefined);
    });

    it("refuses unknown and duplicated hunk ids", () => {
        assert.throws(() => make().decide("nope", "accepted"), /has no hunk "nope"/);
        assert.throws(() => new ReviewSession(proposal("p2", [file("a.py", [hunk("h", 1)]), file("b.py", [hunk("h", 2)])])), /repeats hunk id/);
    });

    it("labels hunks and places their lenses on 0-based lines", () => {
        const s = make();
        assert.equal(hunkLine(hunk("x", 1)), 1, "newStart is 0-based on the wire");
        assert.equal(hunkLine({ ...hunk("x", 0), newLines: 0 }), 0);
        assert.equal(hunkLine({ ...hunk("x", -1) }), 0);
        assert.equal(hunkLabel(s.hunks[1], 3), "a.py · hunk 2/3 @@ -11,1 +11,1 @@  -old");
    });
});

describe("ReviewRegistry.conflicts", () => {
    it("finds open reviews touching the same files", () => {
        const registry = new ReviewRegistry();
        registry.add(new ReviewSession(proposal("p1", [file("a.py", [hunk("h1", 1)]), file("c.py", [hunk("h2", 1)])])));
        registry.add(new ReviewSession(proposal("p2", [file("d.py", [hunk("h3", 1)])])));
        const conflicts = registry.conflicts(proposal("p3", [file("a.py", [hunk("h9", 1)]), file("d.py", [hunk("h8", 1)])]));
        assert.deepEqual(conflicts.map((c) => [c.session.id, c.paths]), [["p1", ["a.py"]], ["p2", ["d.py"]]]);
        assert.deepEqual(registry.conflicts(registry.get("p1")!.proposal), [], "a proposal does not conflict with itself");
    });
});

describe("staleFiles", () => {
    const p = proposal("p1", [
        file("a.py", [hunk("h1", 1)], { originalText: "x = 1\n" }),
        file("new.py", [hunk("h2", 1)], { kind: "create", originalText: "" }),
        file("gone.py", [hunk("h3", 1)], { originalText: "y\n" }),
    ]);

    it("reports edited, deleted and meanwhile created files", () => {
        const stale = staleFiles(p, new Map([["a.py", "x = 2\n"], ["new.py", "print()\n"], ["gone.py", undefined]]));
        assert.deepEqual(stale, [
            { path: "a.py", reason: "edited" },
            { path: "new.py", reason: "created" },
            { path: "gone.py", reason: "deleted" },
        ]);
        assert.equal(describeStaleness(stale), "Since Splice made this proposal, a.py was edited, new.py now exists, gone.py no longer exists.");
    });

    it("ignores line-ending differences and unchanged files", () => {
        assert.deepEqual(staleFiles(p, new Map([["a.py", "x = 1\r\n"], ["new.py", undefined], ["gone.py", "y\n"]])), []);
    });
});
