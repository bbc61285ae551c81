namespace Loire.Tests.Fuzzing;

/// <summary>
/// Seconds each fuzz target runs: a few in the suite, more on demand with <c>LOIRE_FUZZ_SECONDS</c>
/// (<c>LOIRE_FUZZ_SECONDS=300 dotnet test tests/Loire.Tests --filter Category=Fuzz</c>).
/// </summary>
internal static class FuzzBudget
{
    public static int Seconds(int inSuite) =>
        int.TryParse(Environment.GetEnvironmentVariable("LOIRE_FUZZ_SECONDS"), out var seconds) && seconds > 0 ? seconds : inSuite;
}
