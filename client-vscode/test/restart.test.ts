import "./setup";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RestartPolicy } from "../src/restart";

describe("RestartPolicy", () => {
    const limits = { maxRestarts: 4, windowMs: 180_000, baseDelayMs: 500, maxDelayMs: 3_000 };

    it("restarts with doubling delays, capped, then gives up", () => {
        const policy = new RestartPolicy(limits);
        const decisions = [0, 1000, 2000, 3000, 4000].map((t) => policy.onCrash(t));
        assert.deepEqual(decisions, [
            { restart: true, delayMs: 500, attempt: 1 },
            { restart: true, delayMs: 1000, attempt: 2 },
            { restart: true, delayMs: 2000, attempt: 3 },
            { restart: true, delayMs: 3000, attempt: 4 },
            { restart: false, crashes: 5 },
        ]);
    });

    it("forgets crashes older than the window", () => {
        const policy = new RestartPolicy(limits);
        for (let i = 0; i < 4; i++) {
            policy.onCrash(i);
        }
        assert.deepEqual(policy.onCrash(200_000), { restart: true, delayMs: 500, attempt: 1 });
    });

    it("starts over after a restart the user asked for", () => {
        const policy = new RestartPolicy(limits);
        for (let i = 0; i < 5; i++) {
            policy.onCrash(i);
        }
        policy.reset();
        assert.equal(policy.onCrash(10).restart, true);
        assert.equal(policy.windowMinutes, 3);
    });
});
