namespace StreamingApi.Bench;

/// <summary>
/// <c>hold &lt;server&gt; &lt;path&gt; &lt;streams&gt; [http1]</c>: opens that many streams of a running server
/// over HTTP/2 (h2c, as scenario 12 does; HTTP/1.1 with <c>http1</c>, as scenarios 3 and 7 do), 50 every 20 ms, and
/// reads each to its end, printing how many are open, have had their first frame and have ended every two seconds. For
/// a profiler pointed at the server meanwhile (<c>dotnet-gcdump</c>, <c>dotnet-trace</c>, <c>perf</c>): the bench's
/// scenarios start their servers themselves, this one leaves that to you.
/// </summary>
public static class HeldForProfiling
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [var server, var path, var count, ..] || !int.TryParse(count, out var streams))
        {
            Console.Error.WriteLine("usage: hold <server, e.g. http://127.0.0.1:5000> <path, e.g. stream/text?prompt=hi> <streams> [http1]");
            return 2;
        }
        using var http = SseClient.CreateHttpClient(new Uri(server), http2: args is not [_, _, _, "http1"]);
        int open = 0, first = 0, ended = 0, failed = 0;
        var reads = new List<Task>(streams);
        using var progress = new PeriodicTimer(TimeSpan.FromSeconds(2));
        var report = Task.Run(async () =>
        {
            while (await progress.WaitForNextTickAsync())
                Console.WriteLine($"open {Volatile.Read(ref open)}, first frame {Volatile.Read(ref first)}, ended {Volatile.Read(ref ended)}, failed {Volatile.Read(ref failed)}");
        });
        for (var started = 0; started < streams; started += 50)
        {
            for (var i = started; i < Math.Min(streams, started + 50); i++) reads.Add(ReadAsync());
            await Task.Delay(20);
        }
        await Task.WhenAll(reads);
        progress.Dispose();
        await report;
        Console.WriteLine($"open {open}, first frame {first}, ended {ended}, failed {failed}");
        return failed == 0 ? 0 : 1;

        async Task ReadAsync()
        {
            Interlocked.Increment(ref open);
            var seen = false;
            try
            {
                await SseClient.ReadAsync(http, path, _ =>
                {
                    if (!seen) Interlocked.Increment(ref first);
                    seen = true;
                    return true;
                }, CancellationToken.None, bufferSize: 2 * 1024);
                Interlocked.Increment(ref ended);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException) // refused, or cut off
            {
                Interlocked.Increment(ref failed);
            }
        }
    }
}
