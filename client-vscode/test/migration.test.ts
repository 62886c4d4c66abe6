import "./setup";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { migrationBarText, stepView } from "../src/migration";
import type { MigrationStatus, MigrationStep } from "../src/protocol";

const step = (over: Partial<MigrationStep>): MigrationStep => ({
    id: "s1", kind: "rule", title: "rule assert-equal: 44 site(s) in 5 file(s)", status: "pending", attempts: 0,
    proposal: null, dollars: 0, reason: "", ...over,
});

describe("migration view", () => {
    it("shows each step's status, cost and why it is pending", () => {
        assert.deepEqual(stepView(step({})), {
            label: "s1 rule assert-equal: 44 site(s) in 5 file(s)", description: "pending", tooltip: "rule step, pending",
            icon: "circle-large-outline",
        });
        const failed = stepView(step({ kind: "model", status: "failed", attempts: 3, dollars: 0.0123, reason: "2 site(s) left" }));
        assert.equal(failed.description, "failed · $0.0123 · 3 attempts");
        assert.equal(failed.tooltip, "model step, failed: 2 site(s) left");
        assert.equal(failed.icon, "error");
    });

    it("the status bar counts steps and disappears when the migration ends", () => {
        const status: MigrationStatus = {
            id: "m", target: "requests to httpx", state: "active", done: 12, total: 40, sitesLeft: 3, sitesTotal: 50,
            current: null, dollars: 0, plan: "/w/.splice/migrations/m/plan.md", steps: [],
        };
        assert.equal(migrationBarText(status), "$(git-compare) Migration 12/40");
        assert.equal(migrationBarText({ ...status, state: "finished" }), undefined);
        assert.equal(migrationBarText(undefined), undefined);
    });
});
