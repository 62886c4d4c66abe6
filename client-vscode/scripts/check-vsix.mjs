// Fails unless the packaged .vsix holds exactly the bundle, the manifest, the README and the icon: no sources,
// tests, source maps, node_modules or Python server files. Reads the zip's central directory; no dependencies.
import { readFileSync } from "node:fs";

const EXPECTED = new Set([
    "[Content_Types].xml",
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/readme.md",
    "extension/dist/extension.js",
    "extension/client-vscode/media/icon.png",
    `extension/dist/wheel/splice-${JSON.parse(readFileSync("package.json", "utf8")).version}-py3-none-any.whl`,
]);

const file = process.argv[2];
if (!file) {
    console.error("usage: check-vsix.mjs <file.vsix>");
    process.exit(2);
}
const zip = readFileSync(file);
const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
if (eocd < 0) {
    console.error(`${file}: not a zip file`);
    process.exit(1);
}
const count = zip.readUInt16LE(eocd + 10);
let offset = zip.readUInt32LE(eocd + 16);
const names = [];
for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) {
        console.error(`${file}: corrupt central directory`);
        process.exit(1);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    names.push(zip.toString("utf8", offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
}
const unexpected = names.filter((n) => !EXPECTED.has(n));
const missing = [...EXPECTED].filter((n) => !names.includes(n));
if (unexpected.length || missing.length) {
    console.error(`${file}: unexpected ${JSON.stringify(unexpected)}, missing ${JSON.stringify(missing)}`);
    process.exit(1);
}
console.log(`${file}: ${names.length} files, ${(zip.length / 1024).toFixed(0)} KB — contents as expected`);
