using StreamingApi.Streaming;

namespace StreamingApi.Tests.Units;

public sealed class LastEventIdTests
{
    [Theory]
    [InlineData(0L, "4f2a9c:0")]
    [InlineData(9L, "4f2a9c:9")]
    [InlineData(10L, "4f2a9c:10")]
    [InlineData(99L, "4f2a9c:99")]
    [InlineData(100L, "4f2a9c:100")]
    [InlineData(1234567890123L, "4f2a9c:1234567890123")]
    [InlineData(long.MaxValue, "4f2a9c:9223372036854775807")]
    public void AFramesIdIsTheRunIdAColonAndTheSequenceAndParsesBack(long sequence, string expected)
    {
        var id = LastEventId.Of("4f2a9c", sequence);

        Assert.Equal(expected, id);
        Assert.True(LastEventId.TryParse(id, out var parsed));
        Assert.Equal(new LastEventId("4f2a9c", sequence), parsed);
        Assert.Equal(expected, parsed.Value.ToString());
    }
}
