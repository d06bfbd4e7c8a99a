namespace Conformance;

/// <summary>The command line: <c>--url</c> (required), <c>--json</c>, <c>--schema</c>, <c>--max-seconds</c>, <c>--timeout</c>.</summary>
internal sealed record Options(Uri Url, string? Json, string? Schema, int MaxSeconds, TimeSpan Timeout)
{
    public const string Usage = """
        The conformance suite of StreamingApi's SSE protocol (docs/protocol.md), against any deployment.

        Usage: dotnet run --project tools/Conformance -- --url http://host:port [options]

          --url <url>          the service's base address (required)
          --json <path>        also write the report as JSON to <path>
          --schema <path>      validate frames against this events.schema.json instead of the built-in copy
          --max-seconds <n>    the maxSeconds of the runs it starts (default 5): their time limit keeps a check short
                               against a slow model; a run cut short still has to follow every rule
          --timeout <seconds>  the longest one response may take (default 60)
          --list               print the rules and exit
          --help               print this and exit

        It prints a table (rule, target, result, evidence) and exits 1 when any rule failed, 2 on a usage error. A rule
        the deployment cannot show is skipped, not failed (approvals.decide, when the analyst never calls send_report
        within --timeout); its evidence says why.
        """;

    /// <summary>The options, or null with <paramref name="error"/> saying why (empty for --help and --list).</summary>
    public static Options? Parse(string[] args, out string? error, out bool list)
    {
        error = null;
        list = false;
        Uri? url = null;
        string? json = null, schema = null;
        var maxSeconds = 5;
        var timeout = 60;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--url":
                        var text = Value();
                        if (!Uri.TryCreate(text.EndsWith('/') ? text : text + "/", UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
                            throw new FormatException($"--url must be an http or https address; it was '{text}'.");
                        break;
                    case "--json": json = Value(); break;
                    case "--schema": schema = Value(); break;
                    case "--max-seconds": maxSeconds = Positive(Value(), "--max-seconds"); break;
                    case "--timeout": timeout = Positive(Value(), "--timeout"); break;
                    case "--list": list = true; return null;
                    case "--help" or "-h": error = ""; return null;
                    default: throw new FormatException($"Unknown option '{args[i]}'.");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }
        if (url is null)
        {
            error = "--url is required.";
            return null;
        }
        if (schema is not null && !File.Exists(schema))
        {
            error = $"--schema: no file {schema}.";
            return null;
        }
        return new Options(url, json, schema, maxSeconds, TimeSpan.FromSeconds(timeout));
    }

    private static int Positive(string value, string option) =>
        int.TryParse(value, out var number) && number > 0 ? number : throw new FormatException($"{option} must be a whole number above 0; it was '{value}'.");
}
