using System.Diagnostics;
using Conformance;

var options = Options.Parse(args, out var error, out var list);
if (list)
{
    foreach (var (name, asks) in Rules.All) Console.WriteLine($"{name,-22} {asks}");
    return 0;
}
if (options is null)
{
    if (error is { Length: > 0 }) Console.Error.WriteLine(error + Environment.NewLine);
    (error is { Length: > 0 } ? Console.Error : Console.Out).WriteLine(Options.Usage);
    return error is { Length: > 0 } ? 2 : 0;
}

var schema = EventSchemaValidator.Load(options.Schema);
Console.WriteLine($"Checking {options.Url} against the protocol; schema: {schema.Source}.");
var elapsed = Stopwatch.StartNew();
var report = new Report(options.Url);
await new Suite(options, schema, report).RunAsync();
var results = report.Results();

Console.WriteLine();
Console.Write(Report.Table(results));
var failed = results.Count(Report.Failed);
var skipped = results.Count(r => r.Skipped);
Console.WriteLine();
Console.WriteLine($"Conformance: {results.Count - failed - skipped} passed, {failed} failed, {skipped} skipped in {elapsed.Elapsed.TotalSeconds:0.0} s.");
if (options.Json is { } path)
{
    await File.WriteAllTextAsync(path, Report.Json(options.Url, results, elapsed.Elapsed));
    Console.WriteLine($"Report: {path}");
}
return failed == 0 ? 0 : 1;
