using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// Run ids, drawn from the random bytes of version 4 GUIDs: every id is 16 lowercase hex digits, no two are alike
/// across threads, and every digit of an id is random (none is a GUID's fixed version or variant digit).
/// </summary>
public sealed partial class RunIdTests
{
    [Fact]
    public async Task IdsFromManyThreadsAndManyDrawsAreSixteenHexDigitsAndAllDifferent()
    {
        const int threads = 4, perThread = 1_000;
        var ids = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < perThread; i++) ids.Add(RunIds.New());
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(threads * perThread, ids.Count);
        Assert.All(ids, id => Assert.Matches(HexId(), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // 4,000 random ids leave no hex digit unseen at any position (the odds of one missing are below 1 in 10^100);
        // a GUID's version digit would always be '4' and its variant digit one of four.
        for (var position = 0; position < 16; position++)
            Assert.Equal(16, ids.Select(id => id[position]).Distinct().Count());
    }

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex HexId();
}
