using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Agents;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Units;

public sealed class RunCatchUpTests
{
    private static readonly Dictionary<string, object?> NoArguments = [];

    private static readonly AgentEvent[] Run =
    [
        new RunStarted("r1", "analyst", "m", DateTimeOffset.UnixEpoch),
        new ReasoningDelta("Think "),
        new ReasoningDelta("first."),
        new TextDelta("Looking "),
        new ToolCallStarted("c1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }),
        new ToolCallStarted("c2", "send_report", new Dictionary<string, object?> { ["to"] = "ops" }),
        new ApprovalRequested("a2", "c2", "send_report", new Dictionary<string, object?> { ["to"] = "ops" }, DateTimeOffset.UnixEpoch.AddMinutes(10)),
        new ToolCallCompleted("c1", "fetch_sales_data", new { total = 12 }, 7),
        new ApprovalDecided("a2", false, "denied"),
        new ToolCallCompleted("c2", "send_report", null, 0) { Error = "The person denied it." },
        new ToolCallCompleted("c3", "fetch_customer_data", null, 0) { Error = "Over the run's tool budget." }, // refused: no tool-call
        new ToolCallStarted("c4", "pick_colour", NoArguments) { Client = true },
        new ToolCallCompleted("c4", "pick_colour", "teal", 3) { Client = true },
        new TextDelta("# Sales"),
        new TextDelta("\nUp 🚀"[..5]),
        new TextDelta("\nUp 🚀"[5..]),
        new PartialOutput(JsonNode.Parse("""{"summary":"Up"}""")!),
        new ProgressReport(2, 11, 30, 3.3),
        new PartialOutput(JsonNode.Parse("""{"summary":"Up 12 %"}""")!),
        new FinalOutput(new { summary = "Up 12 %" }),
        new ProgressReport(3, 14, 40, 3.5),
    ];

    [Fact]
    public void WhatAReaderPassedAndTheEventsALaterSnapshotStandsForMakeTheWholeRun()
    {
        var whole = Fold(Run);
        for (var passed = 1; passed <= Run.Length; passed++)
        for (var later = passed; later <= Run.Length; later++)
        {
            var catchUp = new RunCatchUp();
            foreach (var @event in Run[..passed]) catchUp.Passed(@event);
            var missed = catchUp.Missed(Fold(Run[..later]));

            // A reader that was given every event, and one given the events the snapshot stood for, have the same run.
            Assert.True(Json(whole) == Json(Fold([.. Run[..passed], .. missed, .. Run[later..]])), $"passed {passed}, snapshot at {later}");
            // Nothing passed is given again: a snapshot that holds nothing new stands for no event.
            Assert.Empty(catchUp.Missed(Fold(Run[..later])));
        }
    }

    [Fact]
    public void ASnapshotMetFirstCountsAsPassed()
    {
        var catchUp = new RunCatchUp();
        catchUp.Passed(Fold(Run[..13]));

        var missed = catchUp.Missed(Fold(Run[..15]));

        Assert.Equal(["text"], missed.Select(e => e.EventType));
        Assert.Equal("# Sales\nUp \ud83d", ((TextDelta)missed[0]).Delta); // up to the half of a character that the next delta ends
    }

    [Fact]
    public void TheMissedEventsComeInTheOrderOfASnapshotLaidOut()
    {
        var catchUp = new RunCatchUp();
        catchUp.Passed(Run[0]);

        var missed = catchUp.Missed(Fold(Run[..8]));

        // Each call with what became of it, as a snapshot met first is rendered; the text after the calls.
        Assert.Equal(["reasoning", "tool-call", "tool-result", "tool-call", "approval-request", "text"], missed.Select(e => e.EventType));
        Assert.Equal("Looking ", ((TextDelta)missed[^1]).Delta);
    }

    /// <summary>The run's snapshot after <paramref name="events"/>, but for its sequence (which counts them).</summary>
    private static RunSnapshot Fold(IEnumerable<AgentEvent> events)
    {
        var builder = new RunSnapshotBuilder();
        var sequence = 0;
        foreach (var @event in events) builder.Apply(++sequence, @event);
        return builder.Build();
    }

    private static string Json(RunSnapshot snapshot) => JsonSerializer.Serialize(snapshot with { Sequence = 0 }, JsonSerializerOptions.Web);
}
