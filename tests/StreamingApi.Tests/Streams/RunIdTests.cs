using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using StreamingApi.Runs;

namespace StreamingApi.Tests.Streams;

/// <summary>
/// Run ids, whose random bytes each thread draws for 64 ids at a time: every id is 16 lowercase hex digits, and no two
/// are alike, across threads and across each thread's draws.
/// </summary>
public sealed partial class RunIdTests
{
    [Fact]
    public async Task IdsFromManyThreadsAndManyDrawsAreSixteenHexDigitsAndAllDifferent()
    {
        const int threads = 4, perThread = 1_000; // about 16 draws on each thread
        var ids = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < perThread; i++) ids.Add(RunIds.New());
        }, TaskCreationOptions.LongRunning)));

        Assert.Equal(threads * perThread, ids.Count);
        Assert.All(ids, id => Assert.Matches(HexId(), id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [GeneratedRegex("^[0-9a-f]{16}$")]
    private static partial Regex HexId();
}
