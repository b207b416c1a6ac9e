"use strict";
// The `main` of each pack folder: the CLI starts a pack with its folder as working directory (as @pulumi/policy's
// PolicyPack, which reads the folder's package.json from there, requires too); compilePack.js says why.
require("./compilePack").loadPack(process.cwd());
