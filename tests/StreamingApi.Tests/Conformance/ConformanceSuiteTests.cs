using StreamingApi.Tests.Infrastructure;
using Xunit.Abstractions;

namespace StreamingApi.Tests.Conformance;

/// <summary>
/// The conformance suite (tools/Conformance), run as a process the way a user runs it, passes against the service on a
/// real socket, with its runs in memory and in Redis; and it fails, naming the rule, against a deliberately broken server.
/// </summary>
public sealed class ConformanceSuiteTests(ITestOutputHelper output)
{
    /// <summary>
    /// The offline model at a brisk pace rather than at full speed, so that runs are still going when the suite reads,
    /// drops, resumes and cancels them: a short answer takes about a second, the long essay it cancels a minute.
    /// </summary>
    private static StreamingApiApplication Service() => new StreamingApiApplication().With("OfflineModel:TokensPerSecond", "300");

    [Fact]
    public async Task TheServicePassesEveryRuleOfTheConformanceSuiteWithItsRunsInMemory()
    {
        await using var app = Service();

        var run = await ConformanceRun.AgainstAsync(app.BaseAddress);
        output.WriteLine(run.Output);

        AssertPassedEveryRule(run);
    }

    [Fact]
    public async Task TheServicePassesEveryRuleOfTheConformanceSuiteWithItsRunsInRedis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = Service().With("Runs:Store", "redis").With("ConnectionStrings:Redis", redis.ConnectionString);

        var run = await ConformanceRun.AgainstAsync(app.BaseAddress);
        output.WriteLine(run.Output);

        AssertPassedEveryRule(run);
    }

    [Theory]
    [InlineData(Breakage.RepeatedId, "order.ids", "is repeated")]
    [InlineData(Breakage.NoDone, "order.done-last", "without done")]
    [InlineData(Breakage.FrameAgainstSchema, "schema.events", "\"content\"")]
    [InlineData(Breakage.NoRetry, "framing.retry", "no retry")]
    [InlineData(Breakage.CommentInFrame, "framing.heartbeats", "a comment line")]
    [InlineData(Breakage.NotUtf8, "framing.utf8", "not UTF-8")]
    public async Task AgainstABrokenServerTheSuiteExitsNonZeroAndNamesTheBrokenRule(Breakage breakage, string rule, string evidence)
    {
        await using var app = Service();
        await using var broken = await BrokenServer.StartAsync(app.BaseAddress, breakage);

        var run = await ConformanceRun.AgainstAsync(broken.BaseAddress);
        output.WriteLine(run.Output);

        Assert.True(run.ExitCode == 1, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Contains(run.Output.Split('\n'), line => line.StartsWith(rule) && line.Contains(" FAIL "));
        var failures = run.Failed.Where(r => r.Rule == rule).ToList();
        Assert.Contains(failures, r => r.Target == "GET /stream/text");
        Assert.All(failures, r => Assert.Contains(evidence, r.Evidence));
        // What the server did not break still passes: the suite points at the broken rule, not at everything.
        Assert.All(run.Results.Where(r => r.Rule is "status.400" or "status.404" or "problem-details" || r.Rule == "framing.utf8" && rule != r.Rule),
            r => Assert.True(r.Passed, $"{r.Rule} {r.Target}: {r.Evidence}"));
    }

    [Fact]
    public async Task ADeploymentWhoseAnalystAsksForNoApprovalSkipsTheApprovalRuleWithEvidenceAndStillPasses()
    {
        await using var app = Service();
        await using var unasked = await BrokenServer.StartAsync(app.BaseAddress, Breakage.NoApprovals);

        var run = await ConformanceRun.AgainstAsync(unasked.BaseAddress);
        output.WriteLine(run.Output);

        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Empty(run.Failed);
        var skipped = Assert.Single(run.Skipped);
        Assert.Equal("approvals.decide", skipped.Rule);
        Assert.False(skipped.Passed);
        Assert.Contains("without asking for approval", skipped.Evidence);
        Assert.Contains("fetch_sales_data", skipped.Evidence); // what the run did instead
        Assert.Contains(run.Output.Split('\n'), line => line.StartsWith("approvals.decide") && line.Contains(" skip "));
        Assert.Contains(" 0 failed, 1 skipped", run.Output);
        // The analysis it read instead still follows every stream rule.
        Assert.Contains(run.Results, r => r.Rule == "schema.events" && r.Target == "GET /stream/analysis (email the report)" && r.Passed);
    }

    private static void AssertPassedEveryRule(ConformanceRun run)
    {
        Assert.True(run.ExitCode == 0, $"exit code {run.ExitCode}:\n{run.Output}");
        Assert.Empty(run.Failed);
        Assert.Empty(run.Skipped);
        var approvals = Assert.Single(run.Results, r => r.Rule == "approvals.decide");
        Assert.Contains("waiting; 200, again 200, other 409, unknown 404; then approval, tool-result", approvals.Evidence);
        Assert.Contains(run.Results, r => r.Rule == "schema.events" && r.Target == "GET /stream/analysis (email the report)" && r.Passed);
        Assert.Equal(ConformanceRun.Rules.Order(), run.Results.Select(r => r.Rule).Distinct().Order());
        foreach (var stream in new[] { "GET /stream/text", "POST /stream/text", "GET /stream/analysis", "GET /stream/progress", "GET /stream/buffered",
                     "GET /stream/flaky", "POST /runs" })
            Assert.Contains(run.Results, r => r.Rule == "resume.same-events" && r.Target == stream);
        Assert.Contains(" 0 failed, 0 skipped", run.Output);
    }
}
