namespace Loire.Filters.Tests.Fuzzing;

/// <summary>
/// How long each fuzz target runs: a few seconds in the suite, longer on demand with <c>LOIRE_FUZZ_SECONDS</c>
/// (e.g. <c>LOIRE_FUZZ_SECONDS=600 dotnet test --filter Category=Fuzz</c>).
/// </summary>
internal static class FuzzBudget
{
    public static int Seconds(int inSuite) =>
        int.TryParse(Environment.GetEnvironmentVariable("LOIRE_FUZZ_SECONDS"), out var seconds) && seconds > 0 ? seconds : inSuite;
}
