/**
 * KQL checked by Kusto's own language service (Microsoft's Kusto.Language, the parser and binder behind the Azure
 * portal's query editor, published as @kusto/language-service-next): a query must parse and bind against the
 * tables it reads, with their columns as Azure Monitor documents them. An unknown column, function or a syntax
 * error is a diagnostic. It checks no results: nothing here can run a query against data.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
require("@kusto/language-service-next/bridge.min.js");
require("@kusto/language-service-next/Kusto.Language.Bridge.min.js");

// The bridge defines a global namespace without typings for Node's module system.
const Kusto = (globalThis as unknown as { Kusto: { Language: any } }).Kusto.Language;

/** Columns as `name:type`, copied from each table's reference page (learn.microsoft.com/azure/azure-monitor/reference/tables/<table>). */
export const TABLES: Record<string, string> = {
    AKSAudit: "Annotations:dynamic,AuditId:string,_BilledSize:real,_IsBillable:string,Level:string,ObjectRef:dynamic,PodName:string,RequestObject:dynamic,RequestReceivedTime:datetime,RequestUri:string,_ResourceId:string,ResponseObject:dynamic,ResponseStatus:dynamic,SourceIps:dynamic,SourceSystem:string,Stage:string,StageReceivedTime:datetime,_SubscriptionId:string,TenantId:string,TimeGenerated:datetime,Type:string,User:dynamic,UserAgent:string,Verb:string",
    ContainerLogV2: "Computer:string,ContainerId:string,ContainerName:string,LogMessage:dynamic,LogSource:string,PodName:string,PodNamespace:string,_ResourceId:string,SourceSystem:string,_SubscriptionId:string,TenantId:string,TimeGenerated:datetime,Type:string",
    KubeEvents: "ClusterId:string,ClusterName:string,Computer:string,Count:real,FirstSeen:datetime,KubeEventType:string,LastSeen:datetime,Message:string,Name:string,Namespace:string,ObjectKind:string,Reason:string,_ResourceId:string,SourceComponent:string,SourceSystem:string,_SubscriptionId:string,TimeGenerated:datetime,Type:string",
    // Azure Resource Graph's securityresources (learn.microsoft.com/azure/governance/resource-graph/reference/supported-tables-resources):
    // the common resource columns.
    securityresources: "id:string,name:string,type:string,tenantId:string,kind:string,location:string,resourceGroup:string,subscriptionId:string,managedBy:string,sku:dynamic,plan:dynamic,properties:dynamic,tags:dynamic,identity:dynamic,zones:dynamic,extendedLocation:dynamic",
};

function tableSymbol(name: string, spec: string): unknown {
    const S = Kusto.Symbols;
    const columns = spec.split(",").map((column) => {
        const [columnName, type] = column.split(":");
        return new S.ColumnSymbol(columnName, S.ScalarTypes.GetSymbol(type));
    });
    return new S.TableSymbol.$ctor4(name, columns);
}

/** A workspace holding the tables named (all of TABLES by default); a DCR transformation reads `source`, a table of its stream's columns. */
function globals(tables: Record<string, string>): unknown {
    const S = Kusto.Symbols;
    const database = new S.DatabaseSymbol.ctor("workspace", Object.entries(tables).map(([name, spec]) => tableSymbol(name, spec)));
    const cluster = new S.ClusterSymbol.ctor("cluster", [database]);
    return Kusto.GlobalState.Default.WithCluster(cluster).WithDatabase(database);
}

/** Kusto's errors for `query` (an empty list when it parses and binds). */
export function kqlProblems(query: string, tables: Record<string, string> = TABLES): string[] {
    const code = Kusto.KustoCode.ParseAndAnalyze(query, globals(tables));
    const diagnostics = code.GetDiagnostics();
    const problems: string[] = [];
    for (let i = 0; i < diagnostics.Count; i++) {
        const diagnostic = diagnostics.getItem(i);
        if (diagnostic.Severity === "Error") {
            problems.push(`${diagnostic.Message} (at ${diagnostic.Start})`);
        }
    }
    return problems;
}

/** A DCR transformation's problems: `source` has the columns of the table its stream lands in. */
export function transformProblems(transformKql: string, table: string): string[] {
    return kqlProblems(transformKql, { source: TABLES[table]! });
}

/**
 * A log search alert's Resource Graph query: Azure Monitor's cross-service prefix `arg("").` (which Kusto's own
 * service does not know) is required, and the rest is checked against Resource Graph's table.
 */
export function argProblems(query: string): string[] {
    const prefix = 'arg("").';
    return query.startsWith(prefix) ? kqlProblems(query.slice(prefix.length)) : [`does not start with ${prefix}`];
}
