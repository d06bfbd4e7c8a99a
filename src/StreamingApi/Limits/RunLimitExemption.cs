namespace StreamingApi.Limits;

/// <summary>
/// Endpoint metadata: the requests of an endpoint that starts runs which start none, and so are not limited (a stream's
/// reconnect, by <c>Last-Event-ID</c>). The endpoint says which, so that the limits need not know its protocol, and so
/// that the header exempts nothing on an endpoint that does not resume by it.
/// </summary>
public sealed record RunLimitExemption(Func<HttpContext, bool> Applies);
