// Validates KQL queries with Microsoft's Kusto language service
// (`@kusto/language-service-next`, from the npm registry) against the tables declared in
// schema.json: every query is parsed and analysed (names, columns, types, functions), and
// every diagnostic is printed with its line and column. Exits 1 when any query has an
// error, 2 when the validator itself cannot run.
//
//   node tests/kusto/validate.js PACKAGE_DIR SCHEMA_JSON [--resource-graph] QUERY_FILE...
//
// With --resource-graph the queries must also keep to the KQL subset Azure Resource Graph
// documents (learn.microsoft.com, "Understanding the Azure Resource Graph query language",
// Supported tabular/top level operators): no `let` or other statement, no `datatable`,
// only the operators listed there, join kinds innerunique, inner and leftouter, at most
// 3 joins and 2 mv-expand.
//
// PACKAGE_DIR is the installed package (…/node_modules/@kusto/language-service-next);
// `.ci/run` installs it with
//   npm install --prefix target/ci-tools --no-audit --no-fund --loglevel=error @kusto/language-service-next@12.4.1
// A query file holds one query; a `--` argument before a file reads it from standard input.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message) {
  process.stderr.write(`validate.js: ${message}\n`);
  process.exit(2);
}

const [packageDir, schemaFile, ...rest] = process.argv.slice(2);
const resourceGraph = rest[0] === '--resource-graph';
const queryFiles = resourceGraph ? rest.slice(1) : rest;
if (!packageDir || !schemaFile || queryFiles.length === 0) {
  fail('usage: validate.js PACKAGE_DIR SCHEMA_JSON [--resource-graph] QUERY_FILE...');
}
try {
  // The bridge defines the globals `Bridge` and `Kusto` the language service lives in.
  require(path.resolve(packageDir, 'bridge.min.js'));
  require(path.resolve(packageDir, 'Kusto.Language.Bridge.min.js'));
} catch (e) {
  fail(`cannot load the Kusto language service from ${packageDir}: ${e.message}`);
}
const K = Kusto.Language;
const S = K.Symbols;

/// The global state with the schema's tables in one database, the one queries run in.
function globals(schema) {
  const tables = Object.entries(schema.tables).map(([name, table]) => {
    const columns = table.columns.map(([column, type]) => {
      const scalar = S.ScalarTypes.GetSymbol(type);
      if (!scalar) fail(`${schemaFile}: table ${name}: column ${column} has unknown type ${type}`);
      return new S.ColumnSymbol(column, scalar);
    });
    return new S.TableSymbol.$ctor4(name, columns);
  });
  const db = new S.DatabaseSymbol.$ctor2(schema.database, null, tables);
  const cluster = new S.ClusterSymbol.$ctor1('cluster', [db]);
  return K.GlobalState.Default.WithCluster(cluster).WithDatabase(db);
}

/// Line and column (1-based) of offset `at` in `text`.
function position(text, at) {
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

// Every tabular operator of the language service's syntax, and those Resource Graph runs.
const QUERY_OPERATORS = new Set(['AsOperator', 'ProjectByNamesOperator', 'ProjectAwayOperator', 'PrintOperator',
  'PartitionOperator', 'PartitionByOperator', 'ParseWhereOperator', 'ParseOperator', 'ParseKvOperator',
  'MvExpandOperator', 'MvApplyOperator', 'MakeSeriesOperator', 'ProjectKeepOperator', 'ProjectOperator',
  'ProjectRenameOperator', 'ProjectReorderOperator', 'TopOperator', 'TopNestedOperator', 'TopHittersOperator',
  'TakeOperator', 'SummarizeOperator', 'SortOperator', 'SerializeOperator', 'ScanOperator', 'SampleOperator',
  'SampleDistinctOperator', 'RenderOperator', 'ReduceByOperator', 'RangeOperator', 'SearchOperator',
  'AssertSchemaOperator', 'MacroExpandOperator', 'FacetOperator', 'ExtendOperator', 'ExecuteAndCacheOperator',
  'EvaluateOperator', 'DistinctOperator', 'CountOperator', 'ConsumeOperator', 'FilterOperator', 'FindOperator',
  'ForkOperator', 'GetSchemaOperator', 'LookupOperator', 'JoinOperator', 'InvokeOperator', 'MakeGraphOperator',
  'GraphWhereEdgesOperator', 'GraphToTableOperator', 'GraphShortestPathsOperator', 'GraphMatchOperator',
  'GraphMarkComponentsOperator', 'GraphWhereNodesOperator', 'UnionOperator']);
const RESOURCE_GRAPH_OPERATORS = new Set(['CountOperator', 'DistinctOperator', 'ExtendOperator', 'JoinOperator',
  'TakeOperator', 'MvExpandOperator', 'SortOperator', 'ParseOperator', 'ProjectOperator', 'ProjectAwayOperator',
  'SummarizeOperator', 'TopOperator', 'UnionOperator', 'FilterOperator']);
const RESOURCE_GRAPH_JOIN_KINDS = new Set(['innerunique', 'inner', 'leftouter']);

/// What Resource Graph would refuse in the parsed `code`: [offset, message] pairs.
function resourceGraphProblems(code, text) {
  const problems = [];
  let joins = 0;
  let expands = 0;
  code.Syntax.WalkElements((e) => {
    const name = (e.$$name || '').replace('Kusto.Language.Syntax.', '');
    if (/^[A-Za-z]+Statement$/.test(name) && name !== 'ExpressionStatement') {
      problems.push([e.TextStart, `Resource Graph runs no ${name} (no let statement)`]);
    } else if (name === 'DataTableExpression') {
      problems.push([e.TextStart, 'Resource Graph has no datatable']);
    } else if (QUERY_OPERATORS.has(name) && !RESOURCE_GRAPH_OPERATORS.has(name)) {
      problems.push([e.TextStart, `Resource Graph does not run the ${name}`]);
    }
    if (name === 'JoinOperator') {
      joins++;
      let kind = 'innerunique';
      const parameters = e.Parameters;
      for (let i = 0; i < parameters.Count; i++) {
        const p = parameters.getItem(i);
        if (text.substr(p.Name.TextStart, p.Name.Width) === 'kind') {
          kind = text.substr(p.Expression.TextStart, p.Expression.Width);
        }
      }
      if (!RESOURCE_GRAPH_JOIN_KINDS.has(kind)) problems.push([e.TextStart, `Resource Graph has no join kind=${kind}`]);
      if (joins === 4) problems.push([e.TextStart, 'Resource Graph runs at most 3 joins in a query']);
    }
    if (name === 'MvExpandOperator' && ++expands === 3) {
      problems.push([e.TextStart, 'Resource Graph runs at most 2 mv-expand in a query']);
    }
  });
  return problems;
}

const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
const state = globals(schema);
let errors = 0;
for (const file of queryFiles) {
  const text = fs.readFileSync(file === '--' ? 0 : file, 'utf8');
  const code = K.KustoCode.ParseAndAnalyze(text, state);
  const diagnostics = code.GetDiagnostics();
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error') errors++;
    const excerpt = text.substr(d.Start, Math.max(d.Length, 1)).replace(/\n/g, '\\n');
    console.log(`${file}:${position(text, d.Start)}: ${d.Severity} ${d.Code}: ${d.Message} [${excerpt}]`);
  }
  if (resourceGraph) {
    for (const [at, message] of resourceGraphProblems(code, text)) {
      errors++;
      console.log(`${file}:${position(text, at)}: Error RG: ${message}`);
    }
  }
}
if (errors > 0) {
  console.log(`${errors} error(s)`);
  process.exit(1);
}
