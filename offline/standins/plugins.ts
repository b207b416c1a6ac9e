/**
 * The stand-in plugins for one e2e run: the resource plugins the program needs, at the versions the SDK
 * packages request, each an executable that starts ./provider.ts (bundled) against one run's cloud folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { CLOUD_DIR_ENV } from "./provider";

export interface ResourcePlugin {
    name: string;
    version: string;
}

/**
 * The resource plugins the program's dependencies declare (`"pulumi": {"resource": true}` in an SDK package's
 * package.json, with the plugin's name and version): what the nodejs language host reports to the engine.
 */
export function requiredPlugins(projectDir: string): ResourcePlugin[] {
    const { dependencies } = JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    return Object.keys(dependencies).flatMap((dependency) => {
        const pkg = JSON.parse(fs.readFileSync(path.join(projectDir, "node_modules", dependency, "package.json"), "utf8")) as {
            name: string;
            version: string;
            pulumi?: { resource?: boolean; name?: string; version?: string };
        };
        if (!pkg.pulumi?.resource) {
            return [];
        }
        return [{ name: pkg.pulumi.name ?? pkg.name.replace(/^@pulumi\//, ""), version: (pkg.pulumi.version ?? pkg.version).replace(/^v/, "") }];
    });
}

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Bundles the provider into `outDir` (inside the project, so its node_modules resolve) and writes one executable
 * per plugin there; returns the executables by plugin.
 */
export function writeStandins(projectDir: string, outDir: string, cloudDir: string): { plugin: ResourcePlugin; executable: string }[] {
    fs.mkdirSync(outDir, { recursive: true });
    const bundle = path.join(outDir, "provider.js");
    buildSync({
        entryPoints: [path.join(__dirname, "provider.ts")],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node22",
        outfile: bundle,
        external: ["@pulumi/*", "@grpc/*", "google-protobuf"],
        logLevel: "error",
    });
    return requiredPlugins(projectDir).map((plugin) => {
        const executable = path.join(outDir, `pulumi-resource-${plugin.name}`);
        fs.writeFileSync(executable, [
            "#!/bin/sh",
            `# Stand-in for the ${plugin.name} ${plugin.version} resource plugin: the offline model (offline/standins/provider.ts).`,
            `${CLOUD_DIR_ENV}=${shellQuote(cloudDir)} exec ${shellQuote(process.execPath)} ${shellQuote(bundle)} ${plugin.name} ${plugin.version} "$@"`,
            "",
        ].join("\n"), { mode: 0o755 });
        return { plugin, executable };
    });
}
