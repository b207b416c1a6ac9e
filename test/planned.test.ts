/**
 * Every suite that reads offline plans runs in this one process: plans are memoised per process
 * (the Pulumi runtime is global state), so each stack variant is planned once for all of them.
 */
import { after } from "node:test";
import { closePackServers } from "../offline/policyCheck";
import "./planned/graph";
import "./planned/network";
import "./planned/flows";
import "./planned/sequencing";
import "./planned/providers";
import "./planned/gateway";
import "./planned/cluster";
import "./planned/incluster";
import "./planned/observability";
import "./planned/policies";
import "./planned/velero";
import "./planned/mesh";
import "./planned/safety";
import "./planned/inventory";
import "./planned/images";
import "./planned/docClaims";
import "./planned/operations";
import "./planned/credentials";
import "./planned/runners";

// The policy packs run as servers for the whole file (offline/policyCheck.ts); stop them at its end.
after(closePackServers);
