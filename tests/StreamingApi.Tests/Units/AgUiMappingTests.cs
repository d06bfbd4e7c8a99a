using System.Text.Json;
using System.Text.Json.Nodes;
using StreamingApi.Agents;
using StreamingApi.AgUi;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Units;

/// <summary>The AG-UI mapping on its own: our run events in, AG-UI events out, in the order its clients verify.</summary>
public sealed class AgUiMappingTests
{
    private static readonly RunStarted Started = new("ours", "analyst", "model-1", DateTimeOffset.UnixEpoch);

    [Fact]
    public void ReasoningAndTextAreMessagesClosedBeforeRunFinishedWhichEchoesTheClientsIdsAndCarriesUsage()
    {
        var events = Map(Started, new ReasoningDelta("Think "), new ReasoningDelta("first."), new TextDelta("Hello "), new TextDelta("world"),
            Done(RunStatus.Completed, usage: new UsageReport(10, 5, 15) { ReasoningTokens = 2 }));

        Assert.Equal(["RUN_STARTED", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT", "REASONING_MESSAGE_CONTENT",
            "REASONING_MESSAGE_END", "REASONING_END", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END",
            "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"RUN_STARTED","threadId":"thread-1","runId":"client-run"}""", events[0]);
        Assert.Equal("""{"type":"REASONING_MESSAGE_START","messageId":"ours-r1","role":"reasoning"}""", events[2]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-m1","role":"assistant"}""", events[7]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_CONTENT","messageId":"ours-m1","delta":"world"}""", events[9]);
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run","usage":[{"model":"model-1","inputTokens":10,"outputTokens":5,"totalTokens":15,"reasoningTokens":2}]}""",
            events[11]);
    }

    [Fact]
    public void ToolCallsBelongToTheirTurnsMessageTheirResultsAreTextAndTheResultIsStateAndRunFinishedResult()
    {
        var events = Map(Started,
            new ToolCallStarted("call_1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }),
            new ToolCallStarted("call_2", "fetch_customer_data", new Dictionary<string, object?>()),
            new ToolCallCompleted("call_1", "fetch_sales_data", new { Total = 12 }, 3),
            new ToolCallCompleted("call_2", "fetch_customer_data", null, 4) { Error = "The tool failed." },
            new TextDelta("Sales were 12."),
            new PartialOutput(new JsonObject { ["summary"] = "Sal" }),
            new FinalOutput(new { Summary = "Sales were 12." }),
            Done(RunStatus.Completed));

        Assert.Equal(["RUN_STARTED", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END",
            "TOOL_CALL_RESULT", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "STATE_SNAPSHOT", "STATE_SNAPSHOT",
            "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"TOOL_CALL_START","toolCallId":"call_1","toolCallName":"fetch_sales_data","parentMessageId":"ours-m1"}""", events[1]);
        Assert.Equal("""{"type":"TOOL_CALL_ARGS","toolCallId":"call_1","delta":"{\"year\":2024}"}""", events[2]);
        Assert.Equal("""{"type":"TOOL_CALL_RESULT","messageId":"ours-call_1-result","toolCallId":"call_1","content":"{\"total\":12}","role":"tool"}""", events[7]);
        Assert.Equal("""{"type":"TOOL_CALL_RESULT","messageId":"ours-call_2-result","toolCallId":"call_2","content":"The tool failed.","role":"tool"}""", events[8]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-m2","role":"assistant"}""", events[9]); // the next turn
        Assert.Equal("""{"type":"STATE_SNAPSHOT","snapshot":{"result":{"summary":"Sal"},"final":false}}""", events[12]);
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run","result":{"summary":"Sales were 12."}}""", events[14]);
    }

    [Fact]
    public void AFailedRunClosesWhatIsOpenAndEndsWithRunErrorWithNothingAfterIt()
    {
        var mapping = NewMapping();
        var events = Map(mapping, Started, new TextDelta("Half"), new RunError("tool-failed", "A tool failed", 502, "The tool 'x' failed."),
            Done(RunStatus.Failed, reason: "tool-failed", usage: new UsageReport(3, 1, 4)));
        var late = new List<object>();
        mapping.Map(new RunEvent(99, new TextDelta("late")), late);
        mapping.End(late);

        Assert.Equal(["RUN_STARTED", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_ERROR"], Types(events));
        Assert.Equal("""{"type":"RUN_ERROR","message":"A tool failed: The tool 'x' failed.","code":"tool-failed","usage":[{"model":"model-1","inputTokens":3,"outputTokens":1,"totalTokens":4}]}""",
            events[^1]);
        Assert.Empty(late);
    }

    [Fact]
    public void ACancelledRunEndsWithRunErrorCancelled()
    {
        var events = Map(Started, new ReasoningDelta("Hmm"), Done(RunStatus.Cancelled, reason: "time-limit"));

        Assert.Equal(["RUN_STARTED", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT", "REASONING_MESSAGE_END", "REASONING_END",
            "RUN_ERROR"], Types(events));
        Assert.Equal("""{"type":"RUN_ERROR","message":"The run was cancelled (time-limit).","code":"cancelled"}""", events[^1]);
    }

    [Fact]
    public void ProgressIsACustomEvent()
    {
        var events = Map(Started, new TextDelta("a"), new ProgressReport(1, 1, 2, 0.5), Done(RunStatus.Completed));

        Assert.Equal("""{"type":"CUSTOM","name":"progress","value":{"chunks":1,"chars":1,"elapsedMs":2,"charsPerSecond":0.5}}""", events[3]);
    }

    [Fact]
    public void NoEventCarriesANull()
    {
        var events = Map(Started, new ToolCallStarted("c", "t", new Dictionary<string, object?>()), new ToolCallCompleted("c", "t", null, 1),
            new TextDelta("x"), Done(RunStatus.Completed));

        Assert.All(events, e => Assert.DoesNotContain("null", e.Replace("\"content\":\"null\"", "")));
    }

    [Fact]
    public void ASnapshotFirstIsTheConversationWithTheRunsMessagesSoFarAndTheTextAfterItContinuesItsMessage()
    {
        var conversation = JsonSerializer.Deserialize<List<JsonElement>>(
            """[{"id":"u1","role":"user","content":"Check stock"},{"id":"ours-m2","role":"assistant","content":"Stock"},{"id":"ours-r2","role":"reasoning","content":"x"}]""")!;
        var mapping = new AgUiMapping("thread-1", "client-run", "ours", UiMessageStreamMappingTests.Json, conversation);
        var snapshot = Snapshot(reasoning: "I need stock. Now I write.", text: "Stock is ",
            calls:
            [
                new ToolCallState("call_1", "check_inventory", new Dictionary<string, object?> { ["region"] = "Europe" }, new { InStock = 7 }, null, 3),
                new ToolCallState("call_2", "check_inventory", null, null, "The tool failed.", 4),
            ]);
        var events = Map(mapping, snapshot, new TextDelta("fine."), Done(RunStatus.Completed, usage: new UsageReport(3, 1, 4)));

        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"MESSAGES_SNAPSHOT","messages":[""" +
            """{"id":"u1","role":"user","content":"Check stock"},""" + // the client's own, echoed; its copies of this run's messages are replaced
            """{"id":"ours-r1","content":"I need stock. Now I write.","role":"reasoning"},""" +
            """{"id":"ours-m1","toolCalls":[{"id":"call_1","function":{"name":"check_inventory","arguments":"{\"region\":\"Europe\"}"},"type":"function"},""" +
            """{"id":"call_2","function":{"name":"check_inventory","arguments":"{}"},"type":"function"}],"role":"assistant"},""" +
            """{"id":"ours-call_1-result","toolCallId":"call_1","content":"{\"inStock\":7}","role":"tool"},""" +
            """{"id":"ours-call_2-result","toolCallId":"call_2","content":"The tool failed.","role":"tool"},""" +
            """{"id":"ours-m2","content":"Stock is ","role":"assistant"}]}""", events[1]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-m2","role":"assistant"}""", events[2]); // reopens the snapshot's message
        Assert.Equal("""{"type":"TEXT_MESSAGE_CONTENT","messageId":"ours-m2","delta":"fine."}""", events[3]);
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run","usage":[{"model":"model-1","inputTokens":3,"outputTokens":1,"totalTokens":4}]}""",
            events[^1]);
    }

    [Fact]
    public void ASnapshotInTheMiddleOfTheReasoningReopensItsReasoningMessageAndTheNextStretchIsANewOne()
    {
        var events = Map(NewMapping(), Snapshot(reasoning: "The request "), new ReasoningDelta("asks."), new TextDelta("Hi"), new ReasoningDelta("More."),
            Done(RunStatus.Completed));

        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT", "REASONING_START", "REASONING_MESSAGE_START", "REASONING_MESSAGE_CONTENT", "REASONING_MESSAGE_END",
            "REASONING_END", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "REASONING_START", "REASONING_MESSAGE_START",
            "REASONING_MESSAGE_CONTENT", "REASONING_MESSAGE_END", "REASONING_END", "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"MESSAGES_SNAPSHOT","messages":[{"id":"ours-r1","content":"The request ","role":"reasoning"}]}""", events[1]);
        Assert.Equal("""{"type":"REASONING_MESSAGE_CONTENT","messageId":"ours-r1","delta":"asks."}""", events[4]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-m1","role":"assistant"}""", events[7]);
        Assert.Equal("""{"type":"REASONING_START","messageId":"ours-r2"}""", events[10]);
    }

    [Fact]
    public void ASnapshotsRunningToolGetsItsResultWithoutBeingAnnouncedAgainAndTheTextAfterItIsTheNextTurn()
    {
        var running = new ToolCallState("call_1", "fetch_sales_data", new Dictionary<string, object?> { ["year"] = 2024 }, null, null, null);
        var events = Map(NewMapping(), Snapshot(calls: [running]), new ToolCallCompleted("call_1", "fetch_sales_data", 12, 5), new TextDelta("Done."),
            Done(RunStatus.Completed));

        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"],
            Types(events));
        Assert.Equal("""{"type":"MESSAGES_SNAPSHOT","messages":[{"id":"ours-m1","toolCalls":[{"id":"call_1","function":{"name":"fetch_sales_data","arguments":"{\"year\":2024}"},"type":"function"}],"role":"assistant"}]}""",
            events[1]);
        Assert.Equal("""{"type":"TOOL_CALL_RESULT","messageId":"ours-call_1-result","toolCallId":"call_1","content":"12","role":"tool"}""", events[2]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-m2","role":"assistant"}""", events[3]);
    }

    [Fact]
    public void ASnapshotsResultIsTheStateAndRunFinishedsResult()
    {
        var events = Map(NewMapping(), Snapshot(text: "Sales grew.", partial: new JsonObject { ["summary"] = "Sales grew." }, result: new { Summary = "Sales grew." }),
            Done(RunStatus.Completed));

        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT", "STATE_SNAPSHOT", "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"STATE_SNAPSHOT","snapshot":{"result":{"summary":"Sales grew."},"final":true}}""", events[2]);
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run","result":{"summary":"Sales grew."}}""", events[3]);
        Assert.Equal("""{"type":"STATE_SNAPSHOT","snapshot":{"result":{"summary":"Sal"},"final":false}}""",
            Map(NewMapping(), Snapshot(partial: new JsonObject { ["summary"] = "Sal" }))[2]);
    }

    [Fact]
    public void ASnapshotOfARunWithNothingYetKeepsTheClientsConversation()
    {
        var conversation = JsonSerializer.Deserialize<List<JsonElement>>("""[{"id":"u1","role":"user","content":"hi"}]""")!;
        var mapping = new AgUiMapping("thread-1", "client-run", "ours", UiMessageStreamMappingTests.Json, conversation);
        var events = Map(mapping, Snapshot() with { Run = null }, Started, new TextDelta("Hello"), Done(RunStatus.Completed, usage: new UsageReport(1, 1, 2)));

        Assert.Equal(["RUN_STARTED", "MESSAGES_SNAPSHOT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"MESSAGES_SNAPSHOT","messages":[{"id":"u1","role":"user","content":"hi"}]}""", events[1]);
        Assert.Contains("\"model\":\"model-1\"", events[^1]); // from the run event that followed
        Assert.All(events, e => Assert.DoesNotContain("null", e));
    }

    [Fact]
    public void AnApprovalRequestAnnouncesItsCallAndTheResponseEndsWithAnInterruptWhileTheRunWaits()
    {
        var mapping = NewMapping();
        var arguments = new Dictionary<string, object?> { ["to"] = "cfo@example.com", ["subject"] = "Report" };
        var output = new List<object>();
        foreach (var (sequence, @event) in new (int, AgentEvent)[]
                 {
                     (1, Started), (2, new TextDelta("Sending.")), (3, new ToolCallStarted("call_5", "send_report", arguments)),
                     (4, new ApprovalRequested("ficc_call_5", "call_5", "send_report", arguments, new DateTimeOffset(2026, 11, 30, 11, 17, 20, 870, TimeSpan.Zero))),
                 })
        {
            mapping.Map(new RunEvent(sequence, @event), output);
        }
        Assert.True(mapping.AwaitsClient);
        mapping.End(output);
        var events = output.Select(e => JsonSerializer.Serialize(e, e.GetType(), UiMessageStreamMappingTests.Json)).ToList();

        Assert.Equal(["RUN_STARTED", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END",
            "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run","outcome":{"type":"interrupt","interrupts":[{"id":"ficc_call_5","toolCallId":"call_5","message":"Send the report to cfo@example.com?","expiresAt":"2026-11-30T11:17:20.870Z","reason":"tool_call","responseSchema":{"type":"object","properties":{"approved":{"type":"boolean","description":"true runs the tool call; false refuses it."},"reason":{"type":"string","maxLength":500,"description":"Why, in a few words; given to the model with a denial."}},"required":["approved"],"additionalProperties":false}}]}}""",
            events[^1]);
        Assert.False(mapping.AwaitsClient);
    }

    [Fact]
    public void AnApprovalRequestWhoseCallWasAnnouncedIsNotAnnouncedAgainAndADecisionInTheSameResponseTakesItsInterruptBack()
    {
        var arguments = new Dictionary<string, object?> { ["path"] = "/tmp/x" };
        var mapping = NewMapping();
        var events = Map(mapping, Started, new ApprovalRequested("a1", "call_1", "delete_file", arguments, DateTimeOffset.UnixEpoch),
            new ApprovalDecided("a1", true, null), new ToolCallCompleted("call_1", "delete_file", true, 1), new TextDelta("Deleted."), Done(RunStatus.Completed));

        Assert.Equal(["RUN_STARTED", "TOOL_CALL_START", "TOOL_CALL_ARGS", "TOOL_CALL_END", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT",
            "TEXT_MESSAGE_END", "RUN_FINISHED"], Types(events));
        Assert.DoesNotContain("outcome", events[^1]);
        Assert.Equal("Run delete_file with path: /tmp/x?", AgUiMapping.InterruptMessage("delete_file", arguments));
    }

    [Fact]
    public void AContinuationGivesTheWaitedForCallsResultWithoutAnnouncingItAndItsOwnMessageIds()
    {
        var mapping = new AgUiMapping("thread-1", "client-run-2", "ours", UiMessageStreamMappingTests.Json) { IdPrefix = "ours-91", Continues = true, Model = "model-1" };
        var events = Map(mapping, new ApprovalDecided("a1", false, "not now"), new ToolCallCompleted("call_1", "send_report", null, 0) { Error = "denied" },
            new TextDelta("Not sent."), Done(RunStatus.Completed, usage: new UsageReport(3, 2, 5)));

        Assert.Equal(["RUN_STARTED", "TOOL_CALL_RESULT", "TEXT_MESSAGE_START", "TEXT_MESSAGE_CONTENT", "TEXT_MESSAGE_END", "RUN_FINISHED"], Types(events));
        Assert.Equal("""{"type":"RUN_STARTED","threadId":"thread-1","runId":"client-run-2"}""", events[0]);
        Assert.Equal("""{"type":"TOOL_CALL_RESULT","messageId":"ours-91-call_1-result","toolCallId":"call_1","content":"denied","role":"tool"}""", events[1]);
        Assert.Equal("""{"type":"TEXT_MESSAGE_START","messageId":"ours-91-m2","role":"assistant"}""", events[2]);
        Assert.Equal("""{"type":"RUN_FINISHED","threadId":"thread-1","runId":"client-run-2","usage":[{"model":"model-1","inputTokens":3,"outputTokens":2,"totalTokens":5}]}""", events[^1]);
    }

    private static AgUiMapping NewMapping() => new("thread-1", "client-run", "ours", UiMessageStreamMappingTests.Json);

    private static RunDone Done(string status, string? reason = null, UsageReport? usage = null) => new(status, reason, 0, 0, 42, usage);

    private static List<string> Map(params AgentEvent[] events) => Map(NewMapping(), events);

    private static List<string> Map(AgUiMapping mapping, params AgentEvent[] events)
    {
        var output = new List<object>();
        for (var i = 0; i < events.Length; i++) mapping.Map(new RunEvent(i + 1, events[i]), output);
        mapping.End(output);
        return output.Select(e => JsonSerializer.Serialize(e, e.GetType(), UiMessageStreamMappingTests.Json)).ToList();
    }

    private static RunSnapshot Snapshot(string reasoning = "", string text = "", IReadOnlyList<ToolCallState>? calls = null, JsonNode? partial = null,
        object? result = null) =>
        new(0, Started, RunStatus.Running, text, reasoning, calls ?? [], partial, result, null, null, null, null);

    private static List<string> Types(List<string> events) => events.Select(e => JsonNode.Parse(e)!["type"]!.GetValue<string>()).ToList();
}
