using System.Text.Json.Nodes;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Units;

public sealed class RunSnapshotBuilderTests
{
    private static readonly AgentEvent[] Analysis =
    [
        new RunStarted("r1", "analyst", "m", DateTimeOffset.UnixEpoch),
        new ReasoningDelta("Think "),
        new ReasoningDelta("first."),
        new ToolCallStarted("c1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }),
        new ToolCallStarted("c2", "fetch_customer_data", new Dictionary<string, object?>()),
        new ToolCallCompleted("c2", "fetch_customer_data", null, 4) { Error = "The tool failed." },
        new ToolCallCompleted("c1", "fetch_sales_data", new { total = 12 }, 7),
        new TextDelta("# Sales"),
        new TextDelta("\nUp."),
        new PartialOutput(JsonNode.Parse("""{"summary":"Up"}""")!),
        new PartialOutput(JsonNode.Parse("""{"summary":"Up 12 %"}""")!),
        new FinalOutput(new { summary = "Up 12 %" }),
        new ProgressReport(2, 11, 30, 3.3),
        new RunDone(RunStatus.Completed, null, 2, 11, 40, new UsageReport(10, 20, 30)),
    ];

    [Fact]
    public void ASnapshotHoldsTheAnswerNotTheEvents()
    {
        var builder = new RunSnapshotBuilder();
        for (var i = 0; i < Analysis.Length; i++) builder.Apply(i + 1, Analysis[i]);

        var snapshot = builder.Build();

        Assert.Equal(Analysis.Length, snapshot.Sequence);
        Assert.Equal("analyst", snapshot.Run!.Agent);
        Assert.Equal("Think first.", snapshot.Reasoning);
        Assert.Equal("# Sales\nUp.", snapshot.Text);
        Assert.Equal(["c1", "c2"], snapshot.ToolCalls.Select(c => c.CallId)); // in the order they started
        Assert.Equal((7L, (string?)null), (snapshot.ToolCalls[0].ElapsedMs, snapshot.ToolCalls[0].Error));
        Assert.Equal(2024, snapshot.ToolCalls[0].Arguments!["year"]);
        Assert.Equal("The tool failed.", snapshot.ToolCalls[1].Error);
        Assert.Equal("Up 12 %", snapshot.Partial!["summary"]!.GetValue<string>());
        Assert.NotNull(snapshot.Result);
        Assert.Equal(2, snapshot.Progress!.Chunks);
        Assert.Equal((RunStatus.Completed, 30L), (snapshot.Status, snapshot.Usage!.TotalTokens));
    }

    [Fact]
    public void GoingOnFromASnapshotGivesWhatFoldingEveryEventGives()
    {
        var whole = new RunSnapshotBuilder();
        for (var i = 0; i < Analysis.Length; i++) whole.Apply(i + 1, Analysis[i]);

        for (var cut = 0; cut <= Analysis.Length; cut++)
        {
            var start = new RunSnapshotBuilder();
            for (var i = 0; i < cut; i++) start.Apply(i + 1, Analysis[i]);
            var resumed = new RunSnapshotBuilder(start.Build());
            for (var i = cut - 1; i < Analysis.Length; i++) if (i >= 0) resumed.Apply(i + 1, Analysis[i]); // one overlapping event is ignored
            Assert.Equal(Json(whole.Build()), Json(resumed.Build()));
        }
    }

    private static string Json(RunSnapshot snapshot) =>
        System.Text.Json.JsonSerializer.Serialize(snapshot, System.Text.Json.JsonSerializerOptions.Web);

    [Fact]
    public void TheTextIsExactlyTheDeltasConcatenatedEvenWhenADeltaSplitsACharacter()
    {
        var deltas = new[] { "naïve ", "🚀"[..1], "🚀"[1..], " \"quoted\"\n", new string('x', 5000), "end 😀"[..5] };
        var builder = new RunSnapshotBuilder();
        for (var i = 0; i < deltas.Length; i++) builder.Apply(i + 1, new TextDelta(deltas[i]));

        Assert.Equal(string.Concat(deltas), builder.Build().Text);
    }

    [Fact]
    public void GoingOnFromASnapshotThatEndsInTheFirstHalfOfACharacterKeepsTheCharacterWhole()
    {
        var deltas = new[] { "up ", "🚀"[..1], "🚀"[1..], " and on" };
        for (var cut = 0; cut <= deltas.Length; cut++)
        {
            var start = new RunSnapshotBuilder();
            for (var i = 0; i < cut; i++) start.Apply(i + 1, new TextDelta(deltas[i]));
            var resumed = new RunSnapshotBuilder(start.Build());
            for (var i = cut; i < deltas.Length; i++) resumed.Apply(i + 1, new TextDelta(deltas[i]));

            Assert.Equal(string.Concat(deltas), resumed.Build().Text);
        }
    }
}
