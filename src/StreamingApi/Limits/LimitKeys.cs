using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http.Features.Authentication;

namespace StreamingApi.Limits;

/// <summary>
/// Who a request counts against for limits and quotas: its principal when it is authenticated, else the client's
/// address (every request is anonymous while authentication is off). The keys of recent callers are kept, so that a
/// request asks for its key without making it again (a start asks twice: its admission and its run).
/// </summary>
public static class LimitKeys
{
    /// <summary>How many keys of each kind are kept; past it they are let go and made again as callers come.</summary>
    private const int Kept = 10_000;

    private static readonly ConcurrentDictionary<string, string> OfPrincipals = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> OfAddresses = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> OfAddressText =
        OfAddresses.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <remarks>
    /// The principal is asked of the authentication feature: <see cref="HttpContext.User"/> would make an anonymous one
    /// when authentication is off, which a held stream would keep for its life.
    /// </remarks>
    public static string Of(HttpContext http) =>
        http.Features.Get<IHttpAuthenticationFeature>()?.User?.Identity is { IsAuthenticated: true, Name: { } name }
            ? OfPrincipal(name)
            : OfAddress(http.Connection.RemoteIpAddress);

    public static string ForPrincipal(string name) => $"principal:{name}";

    public static string ForAddress(string? address) => $"address:{address ?? "unknown"}";

    private static string OfPrincipal(string name)
    {
        if (OfPrincipals.TryGetValue(name, out var key)) return key;
        if (OfPrincipals.Count >= Kept) OfPrincipals.Clear();
        return OfPrincipals.GetOrAdd(name, ForPrincipal);
    }

    private static string OfAddress(IPAddress? address)
    {
        Span<char> text = stackalloc char[64]; // an IPv6 address with a scope id is at most 56 characters
        if (address is null || !address.TryFormat(text, out var length)) return ForAddress(address?.ToString());
        if (OfAddressText.TryGetValue(text[..length], out var key)) return key;
        if (OfAddresses.Count >= Kept) OfAddresses.Clear();
        var written = text[..length].ToString();
        return OfAddresses.GetOrAdd(written, ForAddress(written));
    }
}
