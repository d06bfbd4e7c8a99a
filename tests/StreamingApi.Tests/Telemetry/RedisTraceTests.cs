using System.Diagnostics;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Telemetry;

/// <summary>One trace per run across instances: the run's trace context travels in its record in Redis.</summary>
[Collection(ProcessTracesCollection.Name)]
public sealed class RedisTraceTests
{
    private const string Analysis = "/stream/analysis?prompt=Analyze%20our%202024%20sales";

    [Fact]
    public async Task AReaderResumingOnTheOtherInstanceGetsASpanLinkedToTheRunsTraceAndRedisCallsAreTraced()
    {
        await using var redis = await RedisServer.StartAsync();
        var (spansOnA, spansOnB) = (new SpanCapture(), new SpanCapture());
        await using var a = redis.Instance().With("OfflineModel:TokensPerSecond", "300").With("Runs:DetachGraceSeconds", "30").WithSpans(spansOnA);
        await using var b = redis.Instance().WithSpans(spansOnB);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());

        var first = await onA.ReadThenDropAsync(Analysis, 5);
        var rest = await onB.ResumeFramesAsync(Analysis, first[^1].Id!);
        Assert.Equal("done", rest[^1].Type);
        var runId = first[0].RunId;
        var run = await spansOnA.RunEndedAsync(runId);
        Assert.Equal(run.TraceId.ToHexString(), first[0]["traceId"].GetString());
        Assert.Equal(run.Id, (await onB.GetRunAsync(runId)).GetProperty("traceParent").GetString()); // as Redis has it

        // Both hosts' tracer providers hear every source in the process: B's is the span whose link names A's run.
        var resume = await spansOnB.WaitForAsync(() => spansOnB.All.FirstOrDefault(s => s.DisplayName == "resume_run"
            && (string?)s.GetTagItem("streamingapi.run.id") == runId), "the resume span has ended");
        var link = Assert.Single(resume.Links);
        Assert.Equal((run.TraceId, run.SpanId), (link.Context.TraceId, link.Context.SpanId));
        var request = spansOnB.All.Single(s => s.SpanId == resume.ParentSpanId);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.NotEqual(run.TraceId, resume.TraceId);

        // The run's writes to Redis are in its trace, below its span.
        await spansOnA.WaitForAsync(() => spansOnA.Trace(run.TraceId).FirstOrDefault(s => s.Source.Name.Contains("Redis", StringComparison.Ordinal)),
            "a Redis call of the run has ended");
    }
}
