/* Synthesises text with a Debian flite voice and prints each phone with its end time, so flite
 * voices (never used in training) can serve as an unseen-synthesizer test set with a timing
 * reference. Build: see make-data.ts. Usage: flite-align VOICE "text" out.wav */
#include <stdio.h>
#include <string.h>
#include <flite/flite.h>

cst_voice *register_cmu_us_slt(const char *dir);
cst_voice *register_cmu_us_rms(const char *dir);
cst_voice *register_cmu_us_awb(const char *dir);
cst_voice *register_cmu_us_kal16(const char *dir);

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: flite-align slt|rms|awb|kal16 text out.wav\n");
    return 2;
  }
  flite_init();
  cst_voice *v = NULL;
  if (!strcmp(argv[1], "slt")) v = register_cmu_us_slt(NULL);
  else if (!strcmp(argv[1], "rms")) v = register_cmu_us_rms(NULL);
  else if (!strcmp(argv[1], "awb")) v = register_cmu_us_awb(NULL);
  else if (!strcmp(argv[1], "kal16")) v = register_cmu_us_kal16(NULL);
  if (!v) {
    fprintf(stderr, "unknown voice %s\n", argv[1]);
    return 2;
  }
  cst_utterance *u = flite_synth_text(argv[2], v);
  cst_wave *w = utt_wave(u);
  if (cst_wave_save_riff(w, argv[3]) < 0) return 1;
  for (cst_item *s = relation_head(utt_relation(u, "Segment")); s; s = item_next(s)) {
    printf("%s %f\n", item_feat_string(s, "name"), item_feat_float(s, "end"));
  }
  delete_utterance(u);
  return 0;
}
