namespace StreamingApi.Limits;

/// <summary>The tokens each caller's runs have used today (UTC), added at each run's end.</summary>
public interface ITokenQuotas
{
    ValueTask<long> UsedTodayAsync(string key, CancellationToken cancellationToken);

    ValueTask AddAsync(string key, long tokens);
}
