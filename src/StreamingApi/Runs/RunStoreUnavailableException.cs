namespace StreamingApi.Runs;

/// <summary>The run store is out of reach: nothing can be started, read or kept until it is back.</summary>
public sealed class RunStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
