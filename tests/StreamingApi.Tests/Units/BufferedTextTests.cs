using System.Runtime.CompilerServices;
using StreamingApi.Agents;
using StreamingApi.Runs;
using StreamingApi.Streaming;

namespace StreamingApi.Tests.Units;

public sealed class BufferedTextTests
{
    [Fact]
    public async Task AnyOtherEventFlushesTheBufferFirstSoOrderIsKept()
    {
        var shaper = BufferedText.Coalesce(minChars: 100, TimeSpan.FromMinutes(1), TimeProvider.System);
        AgentEvent[] source =
        [
            new TextDelta("Hel"), new TextDelta("lo "),
            new ToolCallStarted("c1", "tool", new Dictionary<string, object?>()),
            new TextDelta("wor"), new TextDelta("ld"),
        ];

        var output = await shaper(Replay(source), new RunContext("r", TimeProvider.System), CancellationToken.None).ToListAsync();

        Assert.Equal(3, output.Count);
        Assert.Equal("Hello ", Assert.IsType<TextDelta>(output[0]).Delta);
        Assert.IsType<ToolCallStarted>(output[1]);
        Assert.Equal("world", Assert.IsType<TextDelta>(output[2]).Delta);
    }

    private static async IAsyncEnumerable<AgentEvent> Replay(AgentEvent[] events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var @event in events)
        {
            await Task.Yield();
            yield return @event;
        }
    }
}
