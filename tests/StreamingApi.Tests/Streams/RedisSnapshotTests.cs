using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Tests.Infrastructure;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// Runs whose Redis stream was trimmed, read on the instance that does not execute them: the snapshot kept beside the
/// stream stands for the events it no longer holds, and applying it, then the events after it, gives the whole answer.
/// </summary>
public sealed class RedisSnapshotTests
{
    private const string Answer = "/stream/text?prompt=Explain%20server-sent%20events";

    private static StreamingApiApplication Instance(RedisServer redis) => redis.Instance()
        .With("Redis:MaxStreamLength", "256");

    [Fact]
    public async Task AFinishedRunWhoseStreamWasTrimmedIsReadOnTheOtherInstanceFromItsSnapshotAndEndsWithDone()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("OfflineModel:FixedDeltaCount", "5000");
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var live = await onA.GetFramesAsync(Answer); // the owner's own reader, live: every event
        var runId = live[0].RunId;
        Assert.True(live.Count > 5_000, $"{live.Count} frames");
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
            "the run's record in Redis says completed", TimeSpan.FromSeconds(60));

        var fromStart = await onB.GetFramesAsync($"/runs/{runId}/events");
        var afterTen = await onB.GetFramesAsync($"/runs/{runId}/events?after=10");
        var reconnect = await onB.ResumeFramesAsync(Answer, $"{runId}:10");
        foreach (var frames in new[] { fromStart, afterTen, reconnect })
        {
            // The snapshot has every event but the run's end, which follows it exactly as the live reader had it.
            var snapshot = frames[0];
            Assert.Equal(("snapshot", live[^2].Sequence, "running"), (snapshot.Type, snapshot.Sequence, snapshot["status"].GetString()));
            Assert.Equal(live.SkipWhile(f => f.Sequence <= snapshot.Sequence).Select(f => (f.Id, f.Type, f.Data)),
                frames.Skip(1).Select(f => (f.Id, f.Type, f.Data)));
            Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
            Assert.Equal(live.Text(), frames.AppliedText());
            Assert.Equal(live.Reasoning(), snapshot["reasoning"].GetString());
            Assert.Equal(live[0].Data, snapshot["run"].GetRawText());
        }

        var output = (await onB.GetRunAsync(runId)).GetProperty("output");
        Assert.Equal(("completed", live[^1].Sequence), (output.GetProperty("status").GetString(), output.GetProperty("sequence").GetInt64()));
        Assert.Equal(live.Text(), output.GetProperty("text").GetString());
        Assert.Equal(live.Reasoning(), output.GetProperty("reasoning").GetString());
        Assert.Equal(live[^1]["usage"].GetRawText(), output.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task AnAnalysisRunHasTheSameToolCallsPartialAndResultInItsSnapshotOnEitherInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var a = Instance(redis).With("Redis:MaxStreamLength", "16");
        await using var b = Instance(redis).With("Redis:MaxStreamLength", "16");
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var live = await onA.GetFramesAsync("/stream/analysis?prompt=Analyze%20our%202024%20sales");
        var runId = live[0].RunId;
        Assert.Contains(live, f => f.Type == "tool-result");
        Assert.Contains(live, f => f.Type == "partial");
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
            "the run's record in Redis says completed", TimeSpan.FromSeconds(60));

        // The owner's output comes from its memory, the other instance's from Redis: the same JSON.
        var onOwner = (await onA.GetRunAsync(runId)).GetProperty("output");
        var elsewhere = (await onB.GetRunAsync(runId)).GetProperty("output");
        Assert.Equal(onOwner.GetRawText(), elsewhere.GetRawText());
        Assert.Equal(live.Where(f => f.Type == "tool-call").Select(f => f["callId"].GetString()),
            elsewhere.GetProperty("toolCalls").EnumerateArray().Select(c => c.GetProperty("callId").GetString()));
        Assert.Equal(live.Last(f => f.Type == "result")["output"].GetRawText(), elsewhere.GetProperty("result").GetRawText());

        var frames = await onB.GetFramesAsync($"/runs/{runId}/events");
        Assert.Equal(("snapshot", "done"), (frames[0].Type, frames[^1].Type));
        foreach (var field in new[] { "toolCalls", "partial", "result", "progress", "run", "text", "reasoning" })
            Assert.Equal(onOwner.GetProperty(field).GetRawText(), frames[0][field].GetRawText());
    }

    [Fact]
    public async Task AReaderOnTheOtherInstanceThatFallsBehindTheTrimmedStreamGetsASnapshotThenTheRest()
    {
        await using var redis = await RedisServer.StartAsync();
        // A pause before the answer, for the reader on B to take the run's first events; then 20,000 deltas at once.
        await using var a = Instance(redis).With("OfflineModel:FixedDeltaCount", "20000").With("OfflineModel:FirstTokenDelayMs", "1500");
        await using var b = Instance(redis).WithSendBuffer(16 * 1024);
        var onB = b.CreateSocketClient();
        var slowOnB = b.CreateSocketClient(receiveBufferBytes: 4096);
        await onB.GetAsync("/health/ready"); // B is up and warm before the run starts

        using var owner = await a.CreateSocketClient().OpenAsync(Answer);
        var ownerFrames = owner.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await ownerFrames.MoveNextAsync());
        var runId = ownerFrames.Current.RunId;
        var live = ReadToEndAsync(ownerFrames); // the owner's own reader, live: every event

        // B's client takes the run's first event, then nothing until the run has ended: the buffers between them
        // fill, the reader on B stops taking events, and the owner, which it does not hold back, trims the stream
        // past it.
        using var slow = await slowOnB.OpenAsync($"/runs/{runId}/events");
        var slowFrames = slow.ReadFramesAsync().GetAsyncEnumerator();
        Assert.True(await slowFrames.MoveNextAsync());
        Assert.Equal(("run", 1L), (slowFrames.Current.Type, slowFrames.Current.Sequence));
        var reference = await live;
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
            "the run's record in Redis says completed", TimeSpan.FromSeconds(60));
        var frames = await ReadToEndAsync(slowFrames);

        var snapshots = frames.Where(f => f.Type == "snapshot").ToList();
        Assert.NotEmpty(snapshots);
        for (var i = 1; i < frames.Count; i++)
        {
            // Each frame is the event after the one before it, or a snapshot past it.
            var (before, frame) = (frames[i - 1].Sequence, frames[i]);
            Assert.True(frame.Sequence == before + 1 || (frame.Type == "snapshot" && frame.Sequence > before),
                $"frame {i}: {frame.Type} {frame.Sequence} after {before}");
        }
        Assert.Equal(("done", "completed"), (frames[^1].Type, frames[^1]["status"].GetString()));
        Assert.Equal(reference.Text(), frames.AppliedText());
        var last = snapshots[^1];
        Assert.Equal(reference.SkipWhile(f => f.Sequence <= last.Sequence).Select(f => (f.Id, f.Type, f.Data)),
            frames.SkipWhile(f => f != last).Skip(1).Select(f => (f.Id, f.Type, f.Data)));
    }

    [Fact]
    public async Task AnAnswerWhoseDeltasEachEndInHalfACharacterIsReadWholeOnTheOtherInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        // Every delta ends in the first half of a character and the next begins with its second. JSON has no half a
        // character: the agent's events hold each whole (without, the live text is replacement characters), and so
        // does the snapshot written every 16 events as the stream is trimmed.
        await using var a = Instance(redis).With("Redis:MaxStreamLength", "16")
            .WithServices(s => s.AddSingleton<IChatClient>(new SplitCharactersChatClient(600)));
        await using var b = Instance(redis);
        var (onA, onB) = (a.CreateSocketClient(), b.CreateSocketClient());
        var live = await onA.GetFramesAsync("/stream/text?prompt=hello");
        var runId = live[0].RunId;
        Assert.Equal(601, live.Count(f => f.Type == "text"));
        await Eventually.TrueAsync(async () => (await onB.GetRunAsync(runId)).GetProperty("status").GetString() == "completed",
            "the run's record in Redis says completed", TimeSpan.FromSeconds(60));

        Assert.Equal(SplitCharactersChatClient.Answer(600), live.Text());
        Assert.Equal(live.Text(), (await onB.GetRunAsync(runId)).GetProperty("output").GetProperty("text").GetString());
        var frames = await onB.GetFramesAsync($"/runs/{runId}/events");
        Assert.Equal(("snapshot", "done"), (frames[0].Type, frames[^1].Type));
        Assert.Equal(live.Text(), frames.AppliedText());
    }

    /// <summary>A model whose every text delta ends in half a character, the next with its second half.</summary>
    private sealed class SplitCharactersChatClient(int pairs) : IChatClient
    {
        private const string Face = "\U0001F600";

        public static string Answer(int pairs) => string.Concat(Enumerable.Repeat("a" + Face, pairs)) + ".";

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) =>
            GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
            ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            for (var i = 0; i < pairs; i++) yield return new ChatResponseUpdate(ChatRole.Assistant, (i == 0 ? "" : Face[1..]) + "a" + Face[0]);
            yield return new ChatResponseUpdate(ChatRole.Assistant, Face[1..] + ".");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("split", null, "split-model") : null;

        public void Dispose()
        {
        }
    }

    /// <summary>A stream's frames, the current one first, to its end (bounded in time, so that a hang fails the test).</summary>
    private static async Task<List<Frame>> ReadToEndAsync(IAsyncEnumerator<Frame> frames)
    {
        await using var _ = frames;
        var list = new List<Frame> { frames.Current };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await frames.MoveNextAsync().AsTask().WaitAsync(bound.Token)) list.Add(frames.Current);
        return list;
    }
}
