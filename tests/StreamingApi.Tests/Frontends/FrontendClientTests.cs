using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Frontends;

/// <summary>
/// The frontends' own client packages against the app on a real socket: the Vercel AI SDK (ai 7, ai 6.0.0 for its
/// strict schemas, and ai 5.0.0, the oldest client of the protocol) and AG-UI's HttpAgent with the schemas of @ag-ui/core 1.0.0 and 0.0.59. Each
/// test runs one script of tests/frontends with Node and asserts that all its tests ran and passed.
/// </summary>
/// <remarks>
/// The model is paced (2,000 tokens a second), so that a long essay outlasts a one-second time limit; a client that
/// leaves has 30 seconds to come back for its run. Nothing depends on how fast the Node client reads: a client under
/// load may read seconds behind the server.
/// </remarks>
public sealed class FrontendClientTests
{
    private static StreamingApiApplication App() => new StreamingApiApplication()
        .With("OfflineModel:TokensPerSecond", "2000")
        .With("Runs:DetachGraceSeconds", "30");

    [Fact]
    public async Task TheAiSdkReadsTextReasoningToolsErrorsCancellationAndWholeConversations()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ui-stream.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 7);
    }

    [Fact]
    public async Task TheAiSdkResumesARunCutMidAnswerAndFindsNothingWhereNothingIsGoing()
    {
        // A pace any client keeps up with, so the cut comes while the answer is written; a run that gets at most 16
        // events ahead of the reader that left, so it waits for the client to come back; a tool that takes a while; a
        // window that holds the run whole, so that the resume replays it from its start (the resume from a snapshot,
        // when the start is no longer held, is the next test's).
        await using var app = App()
            .With("OfflineModel:TokensPerSecond", "100")
            .With("Runs:MaxBacklogEvents", "16")
            .With("Runs:ReplayWindow", "4096")
            .With("Tools:InventoryDelayMs", "1500");

        var script = await NodeScript.RunAsync("ui-resume.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 3);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task TheAiSdkResumesALongChatWhoseFirstEventsAreNoLongerHeldFromItsSnapshot()
    {
        await using var app = SnapshotApp();

        var script = await NodeScript.RunAsync("ui-snapshot-resume.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 2);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task TheOldestAiSdkClientAcceptsEveryPartWeSend()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ui-oldest-client.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 3);
    }

    [Fact]
    public async Task TheAiSdkChatAnswersToolApprovalsAndTheRunGoesOnInTheSameMessage()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ui-approvals.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 4);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task TheAiSdkChatAndAgUiHttpAgentRunTheirOwnToolsAndTheRunGoesOnWithTheResult()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("client-tools.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 6);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task AgUiHttpAgentRunsToTheEndAndEveryEventFitsBothCoreSchemas()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ag-ui.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 7);
    }

    [Fact]
    public async Task AgUiRunsEndAtAnApprovalAsAnInterruptAndResumeGoesOnWithTheSameRun()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ag-ui-approvals.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 5);
        await app.WaitForNoActiveRunsAsync();
    }

    [Fact]
    public async Task AgUiConnectAgentResumesAThreadsRunFromMessagesSnapshotAndEveryEventFitsBothCoreSchemas()
    {
        await using var app = SnapshotApp();

        var script = await NodeScript.RunAsync("ag-ui-connect.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 4);
        await app.WaitForNoActiveRunsAsync();
    }

    /// <summary>
    /// Runs that keep only 16 events behind a reader that left, and get at most 64 events past it, at a pace that makes
    /// a long essay last seconds: a client that comes back to a run it left mid-answer finds the run still going, even
    /// if it read seconds behind the server, and the run's first events let go.
    /// </summary>
    private static StreamingApiApplication SnapshotApp() => App()
        .With("OfflineModel:TokensPerSecond", "800")
        .With("Runs:ReplayWindow", "16")
        .With("Runs:MaxBacklogEvents", "64");
}
