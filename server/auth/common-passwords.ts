// A short list of passwords that appear at the top of every breach corpus. Policy
// rejects these (and trivial variations) even when they meet the length rule.
export const COMMON_PASSWORDS = new Set([
  "123456", "123456789", "12345678", "password", "qwerty123", "qwerty1", "111111", "12345",
  "1234567890", "1234567", "qwerty", "abc123", "000000", "password1", "iloveyou", "1q2w3e4r",
  "123123", "qwertyuiop", "123321", "654321", "666666", "987654321", "dragon", "monkey",
  "letmein", "football", "baseball", "welcome", "welcome1", "admin", "admin123", "administrator",
  "passw0rd", "p@ssw0rd", "p@ssword", "master", "sunshine", "princess", "shadow", "superman",
  "trustno1", "starwars", "whatever", "freedom", "changeme", "changeme123", "secret", "letmein123",
  "password123", "password1234", "passwordpassword", "qwerty12345", "qwertyqwerty", "1q2w3e4r5t",
  "1qaz2wsx", "zaq12wsx", "asdfghjkl", "asdfasdf", "zxcvbnm", "michael", "jennifer", "hunter2",
  "charlie", "jordan23", "maestro", "maestro123", "default", "test1234", "testtest", "guest",
  "login", "access", "hello123", "loveyou", "computer", "internet", "pokemon", "killer",
  "aaaaaaaaaaaa", "abcdefghijkl", "abcd1234", "abcdef123456", "123qwe", "qwe123", "1234qwer",
  "q1w2e3r4", "q1w2e3r4t5y6", "pass1234", "mypassword", "summer2024", "winter2024", "spring2025",
  "autumn2025", "summer2025", "winter2025", "summer2026", "winter2026", "123456123456", "112233",
  "121212", "11111111", "00000000", "87654321", "999999", "88888888", "qazwsx", "password!",
]);
