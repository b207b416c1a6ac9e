/**
 * API Management policies are versioned XML files next to this module; the program fills their `__NAME__`
 * placeholders from config. Pure, so the rendered XML is tested as text.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const POLICY_DIR = path.join(__dirname, "policies");

function escapeXml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Values are escaped, except those passed as `xml` (already-built elements). */
export interface PolicyValues {
    text?: Record<string, string | number>;
    xml?: Record<string, string>;
}

export function renderPolicy(file: string, values: PolicyValues): string {
    const template = fs.readFileSync(path.join(POLICY_DIR, file), "utf8");
    const rendered = template.replace(/__([A-Z0-9_]+)__/g, (placeholder, key: string) => {
        const text = values.text?.[key];
        const xml = values.xml?.[key];
        if (text === undefined && xml === undefined) {
            throw new Error(`${file}: no value for ${placeholder}`);
        }
        return xml ?? escapeXml(String(text));
    });
    return rendered;
}

/** `<tag>value</tag>` lines, escaped, for lists such as audiences. */
export function xmlElements(tag: string, values: readonly string[], indent = "                "): string {
    return values.map((value) => `${indent}<${tag}>${escapeXml(value)}</${tag}>`).join("\n");
}
