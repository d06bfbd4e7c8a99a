using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamingApi.Agents;
using StreamingApi.Observability;
using StreamingApi.Runs;
using StreamingApi.Streaming;
using StreamingApi.VercelUi;

namespace StreamingApi.Tests.Units;

public sealed class SseFramingTests
{
    [Fact]
    public async Task FramesCarryIdEventAndOneLineOfJsonEvenForMultiLineTextAndTheFirstCarriesRetry()
    {
        var services = new ServiceCollection().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()).AddStreaming().AddMetrics().AddSingleton<StreamingMetrics>()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance).AddSingleton(typeof(ILogger<>), typeof(Logger<>)).BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        http.Response.Body = body;
        var delta = "line one\nline \"two\"\r\nemoji 🚀 done";

        await new RunEventStream(new ListReader("r1",
            new RunEvent(1, new TextDelta(delta)),
            new RunEvent(2, new RunDone(RunStatus.Completed, null, 1, delta.Length, 5, null)))).ExecuteAsync(http);

        Assert.Equal("text/event-stream", http.Response.ContentType);
        Assert.Equal(
            "event: text\n" +
            // JSON keeps every delta on one data line; characters outside the BMP travel as \u escapes.
            "data: {\"delta\":\"line one\\nline \\\"two\\\"\\r\\nemoji \\uD83D\\uDE80 done\"}\n" +
            "id: r1:1\n" +
            "retry: 1000\n\n" +
            "event: done\n" +
            $"data: {{\"status\":\"completed\",\"reason\":null,\"chunks\":1,\"chars\":{delta.Length},\"elapsedMs\":5,\"usage\":null}}\n" +
            "id: r1:2\n\n",
            Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task AnEventsJsonAsAppendedIsCopiedToItsFrameNotSerializedAgain()
    {
        var http = new DefaultHttpContext { RequestServices = Services() };
        var body = new MemoryStream();
        http.Response.Body = body;
        // Not what the serializer would write (the spaces, the extra field): the frame can only have copied it.
        var kept = "{ \"delta\": \"a\", \"kept\": true }"u8.ToArray();

        await new RunEventStream(new ListReader("r1",
            new RunEvent(7, new TextDelta("a"), kept),
            new RunEvent(8, AgentEventTypes.Done, "{\"status\":\"completed\"}"u8.ToArray(), MemoryRunLogTests.Codec))).ExecuteAsync(http);

        Assert.Equal(
            "event: text\ndata: { \"delta\": \"a\", \"kept\": true }\nid: r1:7\nretry: 1000\n\n" +
            "event: done\ndata: {\"status\":\"completed\"}\nid: r1:8\n\n",
            Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public async Task AFrameFromAnEventsKeptJsonIsByteForByteTheFrameFromItsRecord()
    {
        var events = new AgentEvent[]
        {
            new RunStarted("r1", "analyst", "m", DateTimeOffset.UnixEpoch),
            new TextDelta("naïve 🚀 \"quoted\"\n<b>&</b>"),
            new ToolCallStarted("c1", "fetch", new Dictionary<string, object?> { ["year"] = 2024 }),
            new ToolCallCompleted("c1", "fetch", new { total = 12.5m }, 3) { Error = "late" },
            new RunDone(RunStatus.Completed, null, 1, 9, 5, new UsageReport(1, 2, 3) { ReasoningTokens = 1 }),
        };
        var fromRecords = await Frames(events.Select((e, i) => new RunEvent(i + 1, e)));
        var fromJson = await Frames(events.Select((e, i) => new RunEvent(i + 1, e.EventType, MemoryRunLogTests.Codec.Encode(e), MemoryRunLogTests.Codec)));

        Assert.Equal(fromRecords, fromJson);
    }

    private static async Task<byte[]> Frames(IEnumerable<RunEvent> events)
    {
        var http = new DefaultHttpContext { RequestServices = Services() };
        var body = new MemoryStream();
        http.Response.Body = body;
        await new RunEventStream(new ListReader("r1", [.. events])).ExecuteAsync(http);
        return body.ToArray();
    }

    [Fact]
    public async Task WithAMappingFramesAreDataLinesOnlyAndTheMappingsEndFollowsTheLastEvent()
    {
        var http = new DefaultHttpContext { RequestServices = Services() };
        var body = new MemoryStream();
        http.Response.Body = body;

        await new UiMessageStream(new ListReader("r1",
            new RunEvent(1, new RunStarted("r1", "writer", "m", DateTimeOffset.UnixEpoch)),
            new RunEvent(2, new TextDelta("two\nlines")),
            new RunEvent(3, new RunDone(RunStatus.Completed, null, 1, 9, 5, null)))).ExecuteAsync(http);

        Assert.Equal("text/event-stream", http.Response.ContentType);
        Assert.Equal("v1", http.Response.Headers["x-vercel-ai-ui-message-stream"]);
        Assert.Equal(
            "data: {\"type\":\"start\",\"messageId\":\"r1\",\"messageMetadata\":{\"agent\":\"writer\",\"model\":\"m\"}}\n\n" +
            "data: {\"type\":\"start-step\"}\n\n" +
            "data: {\"type\":\"text-start\",\"id\":\"text-1\"}\n\n" +
            "data: {\"type\":\"text-delta\",\"id\":\"text-1\",\"delta\":\"two\\nlines\"}\n\n" +
            "data: {\"type\":\"text-end\",\"id\":\"text-1\"}\n\n" +
            "data: {\"type\":\"finish-step\"}\n\n" +
            "data: {\"type\":\"finish\",\"messageMetadata\":{\"status\":\"completed\",\"elapsedMs\":5}}\n\n" +
            "data: [DONE]\n\n",
            Encoding.UTF8.GetString(body.ToArray()));
    }

    private static ServiceProvider Services() =>
        new ServiceCollection().AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .AddStreaming().AddMetrics().AddSingleton<StreamingMetrics>()
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance).AddSingleton(typeof(ILogger<>), typeof(Logger<>)).BuildServiceProvider();

    /// <summary>A reader of a finished run whose events are given.</summary>
    private sealed class ListReader(string runId, params RunEvent[] events) : IRunReader
    {
        private int _next;

        public string RunId => runId;

        public bool TryRead(out RunEvent entry)
        {
            entry = _next < events.Length ? events[_next] : default;
            return _next++ < events.Length;
        }

        public ValueTask<bool> WaitToReadAsync() => new(_next < events.Length);

        public void Interrupt()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
