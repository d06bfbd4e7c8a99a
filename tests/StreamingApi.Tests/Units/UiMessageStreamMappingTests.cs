using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.VercelUi;

namespace StreamingApi.Tests.Units;

/// <summary>The UI message stream mapping on its own: our run events in, the protocol's parts out, in order.</summary>
public sealed class UiMessageStreamMappingTests
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly RunStarted Started = new("r1", "analyst", "model-1", DateTimeOffset.UnixEpoch);

    [Fact]
    public void ReasoningAndTextAreEachOnePartClosedBeforeTheFinish()
    {
        var parts = Map(Started, new ReasoningDelta("Think "), new ReasoningDelta("first."), new TextDelta("Hello "), new TextDelta("world"),
            Done(RunStatus.Completed, usage: new UsageReport(10, 5, 15)));

        Assert.Equal(["start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-delta", "reasoning-end",
            "text-start", "text-delta", "text-delta", "text-end", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"start","messageId":"r1","messageMetadata":{"agent":"analyst","model":"model-1"}}""", parts[0]);
        Assert.Equal("""{"type":"reasoning-delta","id":"reasoning-1","delta":"first."}""", parts[4]);
        Assert.Equal("""{"type":"text-delta","id":"text-2","delta":"world"}""", parts[8]);
        Assert.Equal("""{"type":"finish","messageMetadata":{"status":"completed","usage":{"inputTokens":10,"outputTokens":5,"totalTokens":15},"elapsedMs":42}}""",
            parts[11]);
    }

    [Fact]
    public void ToolsAreDynamicPartsAndTheModelGoingOnAfterTheirResultsIsANewStep()
    {
        var parts = Map(Started,
            new ReasoningDelta("I need data."),
            new ToolCallStarted("call_1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }),
            new ToolCallStarted("call_2", "fetch_customer_data", new Dictionary<string, object?>()),
            new ToolCallCompleted("call_1", "fetch_sales_data", new { Total = 12 }, 3),
            new ToolCallCompleted("call_2", "fetch_customer_data", null, 4) { Error = "The tool failed." },
            new TextDelta("Sales were 12."),
            new PartialOutput(new JsonObject { ["summary"] = "Sal" }),
            new FinalOutput(new { Summary = "Sales were 12." }),
            Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-end", "tool-input-available", "tool-input-available",
            "tool-output-available", "tool-output-error", "finish-step", "start-step", "text-start", "text-delta", "text-end",
            "data-result", "data-result", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"tool-input-available","toolCallId":"call_1","toolName":"fetch_sales_data","input":{"year":2024},"dynamic":true}""", parts[5]);
        Assert.Equal("""{"type":"tool-output-available","toolCallId":"call_1","output":{"total":12},"dynamic":true}""", parts[7]);
        Assert.Equal("""{"type":"tool-output-error","toolCallId":"call_2","errorText":"The tool failed.","dynamic":true}""", parts[8]);
        Assert.Equal("""{"type":"data-result","data":{"output":{"summary":"Sal"},"final":false},"id":"result"}""", parts[14]);
        Assert.Equal("""{"type":"data-result","data":{"output":{"summary":"Sales were 12."},"final":true},"id":"result"}""", parts[15]);
    }

    [Fact]
    public void AnErrorClosesTheOpenTextAndTheRunStillFinishes()
    {
        var parts = Map(Started, new TextDelta("Half an ans"), new RunError("model-error", "The model server failed", 502, "It broke."),
            Done(RunStatus.Failed, reason: "model-error"));

        Assert.Equal(["start", "start-step", "text-start", "text-delta", "text-end", "error", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"error","errorText":"The model server failed: It broke."}""", parts[5]);
        Assert.Equal("""{"type":"finish","messageMetadata":{"status":"failed","reason":"model-error","elapsedMs":42}}""", parts[7]);
    }

    [Fact]
    public void ACancelledRunEndsWithItsMetadataThenAbortWithoutAReason()
    {
        var parts = Map(Started, new ReasoningDelta("Hmm"), Done(RunStatus.Cancelled, reason: "client-disconnected", usage: new UsageReport(3, 1, 4)));

        Assert.Equal(["start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-end", "finish-step", "message-metadata", "abort", "[DONE]"],
            Types(parts));
        Assert.Equal("""{"type":"message-metadata","messageMetadata":{"status":"cancelled","reason":"client-disconnected","usage":{"inputTokens":3,"outputTokens":1,"totalTokens":4},"elapsedMs":42}}""",
            parts[6]);
        Assert.Equal("""{"type":"abort"}""", parts[7]);
    }

    [Fact]
    public void AStreamThatBeginsMidRunStillStartsTheMessageAndAnnouncesACallBeforeItsResult()
    {
        var mapping = new UiMessageStreamMapping("r1");
        var parts = Map(mapping, 500, new ToolCallCompleted("call_9", "check_inventory", 7, 1), new TextDelta("In stock."), Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "tool-input-available", "tool-output-available", "finish-step", "start-step", "text-start", "text-delta",
            "text-end", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"start","messageId":"r1"}""", parts[0]);
        Assert.Equal("""{"type":"tool-input-available","toolCallId":"call_9","toolName":"check_inventory","input":null,"dynamic":true}""", parts[2]);
    }

    [Fact]
    public void ProgressIsATransientDataPartThatLeavesTheTextOpen()
    {
        var parts = Map(Started, new TextDelta("a"), new ProgressReport(1, 1, 2, 0.5), new TextDelta("b"), Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "text-start", "text-delta", "data-progress", "text-delta", "text-end", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"data-progress","data":{"chunks":1,"chars":1,"elapsedMs":2,"charsPerSecond":0.5},"transient":true}""", parts[4]);
    }

    [Fact]
    public void NothingFollowsTheRunsEndButDone()
    {
        var mapping = new UiMessageStreamMapping("r1");
        var parts = Map(mapping, 0, Started, Done(RunStatus.Completed));
        var late = new List<object>();
        mapping.Map(new RunEvent(9, new TextDelta("late")), late);

        Assert.Equal(["start", "finish", "[DONE]"], Types(parts));
        Assert.Empty(late);
    }

    [Fact]
    public void ASnapshotFirstIsTheMessageSoFarAndTheTextAfterItContinuesItsOpenPart()
    {
        var snapshot = Snapshot(reasoning: "I need stock. Now I write.", text: "Stock is ",
            calls:
            [
                new ToolCallState("call_1", "check_inventory", new Dictionary<string, object?> { ["region"] = "Europe" }, new { InStock = 7 }, null, 3),
                new ToolCallState("call_2", "check_inventory", new Dictionary<string, object?>(), null, "The tool failed.", 4),
            ]);
        var parts = Map(new UiMessageStreamMapping("r1"), 300, snapshot, new TextDelta("fine."), Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-end", "tool-input-available", "tool-output-available",
            "tool-input-available", "tool-output-error", "finish-step", "start-step", "text-start", "text-delta", "text-delta", "text-end",
            "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"start","messageId":"r1","messageMetadata":{"agent":"analyst","model":"model-1"}}""", parts[0]);
        Assert.Equal("""{"type":"reasoning-delta","id":"reasoning-1","delta":"I need stock. Now I write."}""", parts[3]);
        Assert.Equal("""{"type":"tool-input-available","toolCallId":"call_1","toolName":"check_inventory","input":{"region":"Europe"},"dynamic":true}""", parts[5]);
        Assert.Equal("""{"type":"tool-output-available","toolCallId":"call_1","output":{"inStock":7},"dynamic":true}""", parts[6]);
        Assert.Equal("""{"type":"tool-output-error","toolCallId":"call_2","errorText":"The tool failed.","dynamic":true}""", parts[8]);
        Assert.Equal("""{"type":"text-delta","id":"text-2","delta":"Stock is "}""", parts[12]);
        Assert.Equal("""{"type":"text-delta","id":"text-2","delta":"fine."}""", parts[13]); // the same part goes on
    }

    [Fact]
    public void ASnapshotInTheMiddleOfTheReasoningLeavesItOpenForTheReasoningAfterIt()
    {
        var parts = Map(new UiMessageStreamMapping("r1"), 40, Snapshot(reasoning: "The request "), new ReasoningDelta("asks."), new TextDelta("Hi"),
            Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "reasoning-start", "reasoning-delta", "reasoning-delta", "reasoning-end", "text-start", "text-delta",
            "text-end", "finish-step", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"reasoning-delta","id":"reasoning-1","delta":"asks."}""", parts[4]);
    }

    [Fact]
    public void ASnapshotsRunningToolIsAnnouncedOnceAndItsResultComesAfter()
    {
        var running = new ToolCallState("call_1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }, null, null, null);
        var parts = Map(new UiMessageStreamMapping("r1"), 40, Snapshot(calls: [running]), new ToolCallCompleted("call_1", "fetch_sales_data", 12, 5),
            new TextDelta("Done."), Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "tool-input-available", "tool-output-available", "finish-step", "start-step", "text-start", "text-delta",
            "text-end", "finish-step", "finish", "[DONE]"], Types(parts));
    }

    [Fact]
    public void ASnapshotsResultIsOneDataPartAfterTheTextWhichItCloses()
    {
        var partial = Map(new UiMessageStreamMapping("r1"), 40, Snapshot(text: "Sales grew.", partial: new JsonObject { ["summary"] = "Sal" }),
            new FinalOutput(new { Summary = "Sales grew." }), Done(RunStatus.Completed));
        var final = Map(new UiMessageStreamMapping("r1"), 40,
            Snapshot(text: "Sales grew.", partial: new JsonObject { ["summary"] = "Sales grew." }, result: new { Summary = "Sales grew." }), Done(RunStatus.Completed));

        Assert.Equal(["start", "start-step", "text-start", "text-delta", "text-end", "data-result", "data-result", "finish-step", "finish", "[DONE]"],
            Types(partial));
        Assert.Equal("""{"type":"data-result","data":{"output":{"summary":"Sal"},"final":false},"id":"result"}""", partial[5]);
        Assert.Equal(["start", "start-step", "text-start", "text-delta", "text-end", "data-result", "finish-step", "finish", "[DONE]"], Types(final));
        Assert.Equal("""{"type":"data-result","data":{"output":{"summary":"Sales grew."},"final":true},"id":"result"}""", final[5]);
    }

    [Fact]
    public void ASnapshotOfARunWithNothingYetIsOnlyTheStartAndTheRunsEndClosesIt()
    {
        var parts = Map(new UiMessageStreamMapping("r1"), 0, Snapshot() with { Run = null }, new RunError("model-error", "The model server failed", 502, "It broke."),
            Done(RunStatus.Failed, reason: "model-error"));

        Assert.Equal(["start", "error", "finish", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"start","messageId":"r1"}""", parts[0]);
    }

    private static readonly Dictionary<string, object?> Report = new() { ["to"] = "cfo@example.com" };

    [Fact]
    public void AnApprovalRequestEndsTheResponseWhileTheRunWaits()
    {
        var mapping = new UiMessageStreamMapping("r1");
        var parts = Map(mapping, 0, Started,
            new ToolCallStarted("call_5", "send_report", Report),
            new ApprovalRequested("ficc_call_5", "call_5", "send_report", Report, DateTimeOffset.UnixEpoch));

        Assert.Equal(["start", "start-step", "tool-input-available", "tool-approval-request", "finish-step", "finish", "[DONE]"], Types(parts));
        // Only the keys AI SDK 6.0.0 accepts.
        Assert.Equal("""{"type":"tool-approval-request","approvalId":"ficc_call_5","toolCallId":"call_5"}""", parts[3]);
        Assert.Equal("""{"type":"finish","messageMetadata":{"status":"waiting"}}""", parts[5]);
    }

    [Fact]
    public void ADecisionWithinTheSameResponseGoesOnAsAnyToolResult()
    {
        var mapping = new UiMessageStreamMapping("r1");
        var parts = new List<object>();
        mapping.Map(new RunEvent(1, Started), parts);
        mapping.Map(new RunEvent(2, new ToolCallStarted("call_5", "send_report", Report)), parts);
        mapping.Map(new RunEvent(3, new ApprovalRequested("ficc_call_5", "call_5", "send_report", Report, DateTimeOffset.UnixEpoch)), parts);
        Assert.True(mapping.AwaitsClient);
        mapping.Map(new RunEvent(4, new ApprovalDecided("ficc_call_5", false, "no")), parts);
        Assert.False(mapping.AwaitsClient);
        mapping.Map(new RunEvent(5, new ToolCallCompleted("call_5", "send_report", null, 0) { Error = "denied" }), parts);

        Assert.Equal("""{"type":"tool-output-denied","toolCallId":"call_5"}""", JsonSerializer.Serialize(parts[^1], parts[^1].GetType(), Json));
    }

    [Fact]
    public void TheContinuationGivesTheDecidedCallsResultsThenANewStep()
    {
        var mapping = new UiMessageStreamMapping("r1", new UiMessageStreamOptions { ContinuedCalls = new HashSet<string> { "call_5" } });
        var parts = Map(mapping, 41,
            new ApprovalDecided("ficc_call_5", true, null),
            new ToolCallCompleted("call_5", "send_report", new { Sent = true }, 1),
            new TextDelta("Sent."),
            Done(RunStatus.Completed));

        Assert.Equal(["start", "tool-output-available", "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish", "[DONE]"],
            Types(parts));
        Assert.Equal("""{"type":"start","messageId":"r1"}""", parts[0]);
        Assert.Equal("""{"type":"tool-output-available","toolCallId":"call_5","output":{"sent":true},"dynamic":true}""", parts[1]);
    }

    [Fact]
    public void ADeniedCallInTheContinuationIsOutputDenied()
    {
        var mapping = new UiMessageStreamMapping("r1", new UiMessageStreamOptions { ContinuedCalls = new HashSet<string> { "call_5" } });
        var parts = Map(mapping, 41,
            new ApprovalDecided("ficc_call_5", false, "not today"),
            new ToolCallCompleted("call_5", "", null, 0) { Error = "denied" },
            new TextDelta("Not sent."),
            Done(RunStatus.Completed));

        Assert.Equal(["start", "tool-output-denied", "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish", "[DONE]"],
            Types(parts));
    }

    [Fact]
    public void AContinuationReadFromTheStartLeavesOutWhatCameBeforeTheDecisions()
    {
        var mapping = new UiMessageStreamMapping("r1", new UiMessageStreamOptions
        {
            ContinuedCalls = new HashSet<string> { "call_5" },
            SkipToDecisions = true,
        });
        var parts = Map(mapping, 0, Started,
            new ReasoningDelta("Sending."),
            new ToolCallStarted("call_5", "send_report", Report),
            new ApprovalRequested("ficc_call_5", "call_5", "send_report", Report, DateTimeOffset.UnixEpoch),
            new ApprovalDecided("ficc_call_5", true, null),
            new ToolCallCompleted("call_5", "send_report", new { Sent = true }, 1),
            new TextDelta("Sent."),
            Done(RunStatus.Completed));

        Assert.Equal(["start", "tool-output-available", "start-step", "text-start", "text-delta", "text-end", "finish-step", "finish", "[DONE]"],
            Types(parts));
    }

    [Fact]
    public void AClientWithoutApprovalsGetsAnErrorAndNothingAfterIt()
    {
        var mapping = new UiMessageStreamMapping("r1", new UiMessageStreamOptions { Approvals = false });
        var parts = Map(mapping, 0, Started,
            new ToolCallStarted("call_5", "send_report", Report),
            new ApprovalRequested("ficc_call_5", "call_5", "send_report", Report, DateTimeOffset.UnixEpoch),
            new ApprovalDecided("ficc_call_5", false, "stopped"),
            new ToolCallCompleted("call_5", "", null, 0) { Error = "denied" });

        Assert.Equal(["start", "start-step", "tool-input-available", "error", "[DONE]"], Types(parts));
        Assert.Equal("""{"type":"error","errorText":"Tool 'send_report' requires approval, which this client (AI SDK 5) does not support."}""", parts[3]);
        Assert.True(mapping.RefusedApproval);
    }

    [Fact]
    public void ASnapshotOfAWaitingRunGivesItsRequestAndEnds()
    {
        var calls = new List<ToolCallState>
        {
            new("call_5", "send_report", Report, null, null, null, new ToolCallApproval("ficc_call_5", DateTimeOffset.UnixEpoch, null, null)),
        };
        var mapping = new UiMessageStreamMapping("r1");
        var parts = Map(mapping, 90, Snapshot(calls: calls));

        Assert.Equal(["start", "start-step", "tool-input-available", "tool-approval-request", "finish-step", "finish", "[DONE]"], Types(parts));
    }

    private static RunDone Done(string status, string? reason = null, UsageReport? usage = null) => new(status, reason, 0, 0, 42, usage);

    private static RunSnapshot Snapshot(string reasoning = "", string text = "", IReadOnlyList<ToolCallState>? calls = null, JsonNode? partial = null,
        object? result = null) =>
        new(0, Started, RunStatus.Running, text, reasoning, calls ?? [], partial, result, null, null, null, null);

    private static List<string> Map(params AgentEvent[] events) => Map(new UiMessageStreamMapping("r1"), 0, events);

    /// <summary>Every part, as the writer sends it: JSON with the app's options, or the literal.</summary>
    private static List<string> Map(UiMessageStreamMapping mapping, long firstSequence, params AgentEvent[] events)
    {
        var parts = new List<object>();
        for (var i = 0; i < events.Length; i++) mapping.Map(new RunEvent(firstSequence + i + 1, events[i]), parts);
        mapping.End(parts);
        return parts.Select(p => p as string ?? JsonSerializer.Serialize(p, p.GetType(), Json)).ToList();
    }

    private static List<string> Types(List<string> parts) =>
        parts.Select(p => p.StartsWith('{') ? JsonNode.Parse(p)!["type"]!.GetValue<string>() : p).ToList();
}
