using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.Tests.Units;

public sealed class SseFramingTests
{
    [Fact]
    public async Task FramesCarryIdEventAndOneLineOfJsonEvenForMultiLineText()
    {
        var services = new ServiceCollection().AddStreaming().BuildServiceProvider();
        var http = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        http.Response.Body = body;
        var delta = "line one\nline \"two\"\r\nemoji 🚀 done";

        var result = TypedResults.ServerSentEvents(Frames(
            new RunEvent(1, new TextDelta(delta)),
            new RunEvent(2, new RunDone(RunStatus.Completed, null, 1, delta.Length, 5, null))));
        await result.ExecuteAsync(http);

        Assert.Equal("text/event-stream", http.Response.ContentType);
        Assert.Equal(
            "event: text\n" +
            // JSON keeps every delta on one data line; characters outside the BMP travel as \u escapes.
            "data: {\"delta\":\"line one\\nline \\\"two\\\"\\r\\nemoji \\uD83D\\uDE80 done\"}\n" +
            "id: r1:1\n\n" +
            "event: done\n" +
            $"data: {{\"status\":\"completed\",\"reason\":null,\"chunks\":1,\"chars\":{delta.Length},\"elapsedMs\":5,\"usage\":null}}\n" +
            "id: r1:2\n\n",
            Encoding.UTF8.GetString(body.ToArray()));
    }

    private static async IAsyncEnumerable<System.Net.ServerSentEvents.SseItem<AgentEvent>> Frames(params RunEvent[] events)
    {
        foreach (var entry in events)
        {
            await Task.Yield();
            yield return EventStreams.ToFrame("r1", entry);
        }
    }
}
