using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Frontends;

/// <summary>
/// The frontends' own client packages against the app on a real socket: the Vercel AI SDK (ai 7, and ai 5.0.0, the
/// oldest client of the protocol) and AG-UI's HttpAgent with the schemas of @ag-ui/core 1.0.0 and 0.0.59. Each
/// test runs one script of tests/frontends with Node and asserts that all its tests ran and passed.
/// </summary>
/// <remarks>
/// The model is paced (2,000 tokens a second), so that a long essay lasts long enough to be cut, resumed or
/// cancelled while it is going; a client that leaves has 30 seconds to come back for its run.
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
        await using var app = App();

        var script = await NodeScript.RunAsync("ui-resume.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 3);
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
    public async Task AgUiHttpAgentRunsToTheEndAndEveryEventFitsBothCoreSchemas()
    {
        await using var app = App();

        var script = await NodeScript.RunAsync("ag-ui.test.mjs", app.BaseAddress);

        script.AssertPassed(tests: 6);
    }
}
