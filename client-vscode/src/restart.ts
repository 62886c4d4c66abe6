/**
 * When to restart a crashed server: a few times with growing delays, then give up and tell the user, so a server
 * that dies on start does not spin forever. Pure, so the tests drive it with their own clock.
 */

export interface RestartLimits {
    /** Crashes tolerated inside `windowMs` before giving up. */
    maxRestarts: number;
    windowMs: number;
    baseDelayMs: number;
    maxDelayMs: number;
}

export const DEFAULT_LIMITS: RestartLimits = { maxRestarts: 4, windowMs: 180_000, baseDelayMs: 500, maxDelayMs: 8_000 };

export type CrashDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; crashes: number };

export class RestartPolicy {
    private crashes: number[] = [];

    constructor(private readonly limits: RestartLimits = DEFAULT_LIMITS) {}

    /** Records a crash at `now` (ms) and says whether to restart and after how long. */
    onCrash(now: number): CrashDecision {
        this.crashes = this.crashes.filter((t) => now - t < this.limits.windowMs);
        this.crashes.push(now);
        const count = this.crashes.length;
        if (count > this.limits.maxRestarts) {
            return { restart: false, crashes: count };
        }
        const delayMs = Math.min(this.limits.baseDelayMs * 2 ** (count - 1), this.limits.maxDelayMs);
        return { restart: true, delayMs, attempt: count };
    }

    /** A restart the user asked for starts a fresh budget. */
    reset(): void {
        this.crashes = [];
    }

    get windowMinutes(): number {
        return Math.round(this.limits.windowMs / 60_000);
    }
}
