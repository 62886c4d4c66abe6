/**
 * The client's settings and protocol names against the server's source (server/splice/config.py and
 * server/splice/lsp/protocol.py), read as text: a renamed key or method on either side fails here, not in a
 * user's editor.
 */
import "./setup";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Methods, PROPOSAL_SCHEME, ServerCommands } from "../src/protocol";
import { SETTINGS } from "../src/settings";

const serverRoot = path.resolve(__dirname, "../../server/splice");
const configPy = path.join(serverRoot, "config.py");
const protocolPy = path.join(serverRoot, "lsp/protocol.py");

/** `"camelKey": ("field_name", converter)` entries of config.KEYS, plus the per-feature models. */
function serverKeys(source: string): Map<string, string> {
    const keys = new Map<string, string>();
    for (const m of source.matchAll(/^\s+"([\w.]+)": \("(\w+)", \w+/gm)) {
        keys.set(m[1], m[2]);
    }
    const features = /^FEATURES = \(([^)]*)\)/m.exec(source);
    for (const f of features?.[1].matchAll(/"(\w+)"/g) ?? []) {
        keys.set(`models.${f[1]}`, "models");
    }
    return keys;
}

/** Literal defaults of the Settings dataclass fields (`name: type = literal`). */
function serverDefaults(source: string): Map<string, unknown> {
    const body = /class Settings:\n([\s\S]*?)\n\n {4}def /.exec(source)?.[1] ?? "";
    const defaults = new Map<string, unknown>();
    for (const m of body.matchAll(/^ {4}(\w+): [^=\n]+ = (.+)$/gm)) {
        const raw = m[2].trim();
        const literal =
            raw === "None" ? null : raw === "True" ? true : raw === "False" ? false : raw === "()" ? [] : /^-?[\d_.]+$/.test(raw) ? Number(raw.replace(/_/g, "")) : /^"(.*)"$/.exec(raw)?.[1];
        if (literal !== undefined) {
            defaults.set(m[1], literal);
        }
    }
    return defaults;
}

describe("settings match server/splice/config.py", { skip: !existsSync(configPy) && "server source not found" }, () => {
    const source = existsSync(configPy) ? readFileSync(configPy, "utf8") : "";
    const keys = serverKeys(source);
    const defaults = serverDefaults(source);

    it("the server accepts every key the client sends", () => {
        const sent = Object.entries(SETTINGS).filter(([, s]) => !s.clientOnly).map(([k]) => k);
        assert.ok(keys.size > 10, "could not read config.KEYS");
        assert.deepEqual(sent.filter((k) => !keys.has(k)), []);
    });

    it("package.json defaults are the server's defaults", () => {
        assert.ok(defaults.size > 10, "could not read Settings defaults");
        for (const [key, spec] of Object.entries(SETTINGS)) {
            const field = keys.get(key);
            if (spec.clientOnly || !field || field === "models" || !defaults.has(field)) {
                continue;
            }
            assert.deepEqual(spec.default, defaults.get(field), `default of splice.${key} (server field ${field})`);
        }
    });
});

describe("protocol names match server/splice/lsp/protocol.py", { skip: !existsSync(protocolPy) && "server source not found" }, () => {
    const source = existsSync(protocolPy) ? readFileSync(protocolPy, "utf8") : "";
    const declared = (name: string): boolean => source.includes(`"${name}"`);

    it("declares every command, method and the scheme", () => {
        const names = [...Object.values(ServerCommands), ...Object.values(Methods), PROPOSAL_SCHEME];
        assert.deepEqual(names.filter((n) => !declared(n)), []);
    });
});
