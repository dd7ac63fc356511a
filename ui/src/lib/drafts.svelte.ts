// Forms that outlive their screen: what the agent typed into Buka Rekening
// stays when Esc or an F-key leaves the screen, until it is sent or thrown
// away on purpose.
import type { OpenForm } from "./validate";

type Image = { name: string; base64: string; preview: string };

function emptyForm(): OpenForm {
  return {
    name: "", email: "", mother_name: "", profession: "", last_education: "", status_nikah: "", pob: "", dob: "",
    ktp: "", gender: "", address: "", rt: "", rw: "", zip_code: "", kelurahan: "", kecamatan: "", city: "", state: "",
    hp: "", phone: "", income: "", jumlah_transaksi: "", deposit: "",
  };
}

export const openAccountDraft = $state({
  form: emptyForm(),
  regencyKind: "Kabupaten",
  images: { ktp: null, foto: null } as Record<"ktp" | "foto", Image | null>,
});

/** Empties the open-account form (in place: the screen holds the same objects). */
export function clearOpenAccountDraft() {
  Object.assign(openAccountDraft.form, emptyForm());
  openAccountDraft.regencyKind = "Kabupaten";
  openAccountDraft.images.ktp = null;
  openAccountDraft.images.foto = null;
}
