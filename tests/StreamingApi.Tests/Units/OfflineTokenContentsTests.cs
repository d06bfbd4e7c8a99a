using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using StreamingApi.Models.Offline;

namespace StreamingApi.Tests.Units;

/// <summary>
/// Streams of the same answer share their tokens' contents (<see cref="OfflineTokenContents"/>): nothing a consumer
/// does with one stream's updates may show in another's.
/// </summary>
public sealed class OfflineTokenContentsTests
{
    [Fact]
    public async Task TwoStreamsOfOneAnswerShareTheirContentsAndMakingAResponseOfOneChangesNeither()
    {
        using var pacer = new OfflinePacer(TimeProvider.System);
        var model = new OfflineChatClient(Options.Create(new OfflineModelOptions { TokensPerSecond = 0, FirstTokenDelayMs = 0, Reasoning = false }),
            pacer, TimeProvider.System);
        ChatMessage[] question = [new(ChatRole.User, "Explain server-sent events")];

        var first = await model.GetStreamingResponseAsync(question).ToListAsync();
        var second = await model.GetStreamingResponseAsync(question).ToListAsync();
        var tokens = second.Select(u => u.Text).ToList();

        Assert.True(tokens.Count > 100, $"{tokens.Count} updates");
        Assert.Equal(first.Select(u => u.Text), tokens);
        Assert.Same(first[0].Contents[0], second[0].Contents[0]); // made once, not once per stream
        Assert.NotSame(first[0], second[0]); // every stream gets updates of its own

        var response = first.ToChatResponse(); // coalesces the text of the first stream's updates
        Assert.Equal(string.Concat(tokens), response.Text);
        Assert.Equal(tokens, second.Select(u => u.Text)); // the second stream's updates still carry their own tokens
        Assert.Equal(tokens, first.Select(u => u.Text));
        Assert.Throws<NotSupportedException>(() => second[0].Contents.Add(new TextContent("more"))); // shared: it cannot grow
    }
}
